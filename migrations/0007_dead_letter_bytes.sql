-- Dead letters keep their header names and values as bytes, in two arrays
-- of the same length: text and jsonb cannot hold NUL or invalid UTF-8.
ALTER TABLE dead_letters
    ADD COLUMN header_names  bytea[] NOT NULL DEFAULT '{}',
    ADD COLUMN header_values bytea[] NOT NULL DEFAULT '{}';

UPDATE dead_letters SET
    header_names  = ARRAY(SELECT convert_to(key, 'UTF8') FROM jsonb_each_text(headers) ORDER BY key),
    header_values = ARRAY(SELECT convert_to(value, 'UTF8') FROM jsonb_each_text(headers) ORDER BY key);

ALTER TABLE dead_letters DROP COLUMN headers;

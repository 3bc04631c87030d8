-- Events the fold refused (their actor may not cause them at their log
-- position) stay in the audit trail, with the reason; NULL for applied ones.
ALTER TABLE audit_events ADD COLUMN rejected text;

-- Whether the registry hashed and checked an image's bytes itself (uploads,
-- blobs it holds, files it read) or an administrator registered the
-- location on trust. Images recorded before this was known are unverified.
ALTER TABLE images ADD COLUMN verified boolean NOT NULL DEFAULT false;

-- Deprecation and revocation of image versions (image-deprecated,
-- image-revoked, image-restored) and the namespace's choice of what a
-- by-name lookup answers when the newest version is revoked.
ALTER TABLE images
    ADD COLUMN deprecated_at      timestamptz,
    ADD COLUMN deprecation_reason text,
    ADD COLUMN replacement        text,
    -- When the revocation takes effect: it may be scheduled ahead.
    ADD COLUMN revoked_at         timestamptz,
    ADD COLUMN revocation_reason  text,
    ADD CHECK ((deprecated_at IS NULL) = (deprecation_reason IS NULL)),
    ADD CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL));

ALTER TABLE namespaces
    ADD COLUMN revoked_fallback boolean NOT NULL DEFAULT false,
    -- The retention policy (RetentionPolicy as JSON); NULL: keep everything.
    ADD COLUMN retention        jsonb;

-- Quotas an administrator set (quota-set): per root namespace's tree, or
-- per user (root_path '').
CREATE TABLE quotas (
    owner        text        NOT NULL,
    root_path    text        NOT NULL,
    max_bytes    bigint      CHECK (max_bytes >= 0),
    max_versions integer     CHECK (max_versions >= 0),
    set_at       timestamptz NOT NULL,
    event_id     uuid        NOT NULL,
    PRIMARY KEY (owner, root_path)
);

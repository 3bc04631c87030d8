-- Collaborators of a root namespace: they see and write the whole tree.
CREATE TABLE collaborators (
    owner      text        NOT NULL,
    root_path  text        NOT NULL,
    username   text        NOT NULL,
    added_at   timestamptz NOT NULL,
    event_id   uuid        NOT NULL,
    PRIMARY KEY (owner, root_path, username)
);

CREATE INDEX collaborators_username ON collaborators (username);

-- Listing pages through images by id and namespaces by owner and path.
CREATE INDEX images_live_name ON images (name) WHERE deleted_at IS NULL;

-- Invites to collaborate on a root namespace: sent by its owner, pending
-- until the invitee accepts (which makes a collaborator) or rejects it (or
-- the owner withdraws it). Deleting the root deletes its invites.
CREATE TABLE invites (
    id          uuid        PRIMARY KEY,
    owner       text        NOT NULL,
    root_path   text        NOT NULL,
    username    text        NOT NULL,
    invited_by  text        NOT NULL,
    sent_at     timestamptz NOT NULL,
    state       text        NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    answered_by text,
    answered_at timestamptz,
    event_id    uuid        NOT NULL
);

CREATE INDEX invites_invitee ON invites (username, state);
CREATE INDEX invites_root ON invites (owner, root_path, state);

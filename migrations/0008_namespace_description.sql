-- A namespace's description, set by namespace-updated; empty when none.
ALTER TABLE namespaces ADD COLUMN description text NOT NULL DEFAULT '';

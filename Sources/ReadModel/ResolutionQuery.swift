import PostgresNIO
import RegistryDomain

/// One statement that looks in every place a ``ResolutionPlan`` names and
/// returns what the earliest of them finds: one round trip however many
/// steps the plan has (a base image is the third step of a plain lookup).
///
/// Each step is a branch that finds its newest live version (or the pinned
/// one) with an index probe; a step the plan does not have binds `NULL`
/// names and finds nothing. The branches are ranked in the plan's order.
///
/// A revoked version is found like any other (the caller answers `410`),
/// except in a namespace whose policy is to fall back
/// (``NamespaceUpdated/revokedFallback``): there a version whose revocation
/// is in effect ranks after every version that is not, so the newest
/// unrevoked one wins and only a name with nothing else left answers `410`.
/// (The comparison is made false, not `NULL`, for a version never revoked:
/// `NULL` would sort after `true`.)
///
/// The text is the same for every plan, only the values differ, so it runs
/// as a prepared statement (``ResolutionStatement``): planning this union
/// each time would cost several times what running it does.
struct ResolutionQuery {
    private var namespace: (rank: Int32, owner: String, path: String, name: String)?
    private var personal: (rank: Int32, owner: String, name: String)?
    private var ownedNamespaces: (rank: Int32, owner: String, name: String)?
    private var base: (rank: Int32, name: String)?
    private let digest: String?
    /// Who asks: a namespace image is found only if this user may use it.
    private let user: Username?

    init(steps: [ResolutionStep], digest: String?, user: Username?) {
        self.digest = digest
        self.user = user
        for (index, step) in steps.enumerated() {
            let rank = Int32(index)
            switch step {
            case .namespace(let reference, let name):
                namespace = (rank, reference.owner.value, reference.path.value, name.value)
            case .personal(let owner, let name):
                personal = (rank, owner.value, name.value)
            case .ownedNamespaces(let owner, let name):
                ownedNamespaces = (rank, owner.value, name.value)
            case .base(let name):
                base = (rank, name.value)
            }
        }
    }

    var query: PostgresQuery {
        let columns = PostgresRegistryQueries.imageColumns
        return """
            SELECT \(unescaped: columns) FROM (
                (SELECT \(namespace?.rank)::integer AS rank, i.* FROM images i
                 WHERE owner = \(namespace?.owner) AND namespace_path = \(namespace?.path) AND name = \(namespace?.name)
                   AND deleted_at IS NULL AND (\(digest)::text IS NULL OR sha256 = \(digest))
                   AND \(imageVisibleTo: Viewer(username: user), image: "i")
                 ORDER BY (coalesce(i.revoked_at <= now(), false) AND coalesce(
                              (SELECT n.revoked_fallback FROM namespaces n
                               WHERE n.owner = \(namespace?.owner) AND n.path = \(namespace?.path)), false)),
                          version DESC LIMIT 1)
                UNION ALL
                (SELECT \(personal?.rank)::integer, * FROM images
                 WHERE owner = \(personal?.owner) AND namespace_path IS NULL AND name = \(personal?.name)
                   AND deleted_at IS NULL AND (\(digest)::text IS NULL OR sha256 = \(digest))
                 ORDER BY version DESC LIMIT 1)
                UNION ALL
                (SELECT \(ownedNamespaces?.rank)::integer, * FROM images
                 WHERE owner = \(ownedNamespaces?.owner) AND namespace_path IS NOT NULL AND name = \(ownedNamespaces?.name)
                   AND deleted_at IS NULL AND (\(digest)::text IS NULL OR sha256 = \(digest))
                 ORDER BY (coalesce(revoked_at <= now(), false) AND EXISTS (
                              SELECT 1 FROM namespaces n
                              WHERE n.owner = images.owner AND n.path = images.namespace_path AND n.revoked_fallback)),
                          created_at DESC, namespace_path, version DESC LIMIT 1)
                UNION ALL
                (SELECT \(base?.rank)::integer, * FROM images
                 WHERE source = 'base' AND name = \(base?.name)
                   AND deleted_at IS NULL AND (\(digest)::text IS NULL OR sha256 = \(digest))
                 ORDER BY version DESC LIMIT 1)
            ) AS found
            ORDER BY rank LIMIT 1
            """
    }
}

/// ``ResolutionQuery`` prepared once per connection.
struct ResolutionStatement: PostgresPreparedStatement {
    typealias Row = ImageRecord.Columns

    static let sql = ResolutionQuery(steps: [], digest: nil, user: nil).query.sql

    let query: ResolutionQuery

    func makeBindings() throws -> PostgresBindings { query.query.binds }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

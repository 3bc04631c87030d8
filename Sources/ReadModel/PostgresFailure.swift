import PostgresNIO

/// Tells a failure of the database from a refusal of the data.
enum PostgresFailure {
    /// SQLSTATE classes that say nothing about the statement's data:
    /// connection exceptions, transaction rollbacks (serialization failures,
    /// deadlocks), insufficient resources, object not in prerequisite state
    /// (lock not available), operator intervention (shutdown) and system
    /// errors.
    static let transientClasses: Set<String> = ["08", "40", "53", "55", "57", "58"]

    /// A server error outside ``transientClasses`` is deterministic: the same
    /// statement with the same data fails again. Everything else (no
    /// connection, a closed pool, a timeout) is transient. A failed
    /// transaction is judged by the error of the statement that failed it.
    static func classify(_ error: any Error) -> ProjectionFailure {
        if let transaction = error as? PostgresTransactionError {
            guard let cause = transaction.closureError, transaction.rollbackError == nil else { return .transient }
            return classify(cause)
        }
        guard let error = error as? PSQLError, error.code == .server,
            let state = error.serverInfo?[.sqlState], !transientClasses.contains(String(state.prefix(2)))
        else { return .transient }
        return .deterministic(
            reason: "the read model cannot store it: \(state) \(error.serverInfo?[.message] ?? "")")
    }
}

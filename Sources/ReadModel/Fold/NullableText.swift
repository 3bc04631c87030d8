/// A nullable text column for a multi-row statement.
///
/// PostgresNIO binds arrays without `NULL` elements, so a missing value
/// travels as the empty string and the statement turns it back with
/// `NULLIF(column, '')`. No nullable text column the projection writes can
/// hold an empty string: names, paths, user names, build ids, request ids and
/// refusal reasons are never empty.
func nullableText(_ values: [String?]) -> [String] {
    values.map { $0 ?? "" }
}

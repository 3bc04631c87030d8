import PostgresNIO
import RegistryDomain

extension PostgresQuery.StringInterpolation {
    /// The SQL condition "`viewer` may see the image row `image`", the one
    /// place the visibility rule of ``AccessPolicy`` is written in SQL:
    /// base images are everyone's; a personal image is its owner's; an
    /// image in a namespace is seen where the namespace is public, internal
    /// (signed-in viewers) or the viewer owns or collaborates on its tree;
    /// administrators see everything.
    mutating func appendInterpolation(imageVisibleTo viewer: Viewer, image: String) {
        let name = viewer.username?.value
        appendLiteral("(\(image).source = 'base' OR ")
        appendInterpolation(viewer.isAdministrator)
        appendLiteral(" OR \(image).owner = ")
        appendInterpolation(name)
        appendLiteral("""
             OR EXISTS (SELECT 1 FROM namespaces n WHERE n.owner = \(image).owner AND n.path = \(image).namespace_path
                          AND (n.visibility = 'public' OR (n.visibility = 'internal' AND 
            """)
        appendInterpolation(name)
        appendLiteral("""
            ::text IS NOT NULL)))
             OR (\(image).namespace_path IS NOT NULL AND EXISTS (
                  SELECT 1 FROM collaborators c WHERE c.owner = \(image).owner
                    AND c.root_path = split_part(\(image).namespace_path, '/', 1) AND c.username = 
            """)
        appendInterpolation(name)
        appendLiteral(")))")
    }
}

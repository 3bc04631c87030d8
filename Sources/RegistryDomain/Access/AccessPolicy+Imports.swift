extension AccessPolicy {
    /// Who may see an import: its requester, the owner of the image it
    /// makes (their personal images or namespace tree), and administrators.
    /// To anyone else it does not exist.
    public static func canSee(importOf owner: Username?, requestedBy requester: String, viewer: Viewer) -> Bool {
        guard let username = viewer.username else { return viewer.isAdministrator }
        return viewer.isAdministrator || username.value == requester || owner == username
    }
}

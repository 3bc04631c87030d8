import BlobStore
import RegistryDomain
import RegistryRuntime

extension RegistrySettings {
    /// The blob store these settings describe, with its checks.
    func blobStore() -> FileBlobStore {
        FileBlobStore(
            root: blobDirectory, maximumSize: maximumUploadBytes,
            validator: QCOW2Validator(maximumVirtualSize: maximumVirtualSize),
            wholeImageCheck: QemuImageCheck(qemuImg: qemuImg, timeLimit: imageCheckTimeout))
    }
}

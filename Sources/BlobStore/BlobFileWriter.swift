import NIOCore

/// Writes an upload's bytes to its ``BlobFile`` in large blocks, each one
/// written on the blocking thread pool while the caller goes on hashing
/// the next bytes. A few blocks are in flight at most (a direct write
/// waits for the disk) and the blocks are reused from start to end, so an
/// upload holds the same few MiB whatever its size.
struct BlobFileWriter: ~Copyable {
    static let blockSize = 4 << 20
    static let blocksInFlight = 2

    private let file: BlobFile
    private var block = AlignedBlock(capacity: BlobFileWriter.blockSize)
    private var offset: Int64 = 0
    /// The blocks being written, oldest first; each hands its buffer back.
    private var inFlight: [Task<AlignedBlock, any Error>] = []

    /// A writer that starts at `offset` of the file, a multiple of
    /// ``BlobFile/alignment``.
    init(file: BlobFile, offset: Int64 = 0) {
        self.file = file
        self.offset = offset
    }

    /// Waits until every full block handed over is written, and returns
    /// where they end: the bytes before it are in the file (not yet
    /// synchronized); those after it are still in the writer's block.
    mutating func drain() async throws -> Int64 {
        while !inFlight.isEmpty { _ = try await takeOldest() }
        return offset
    }

    /// Appends `chunk`; each time a block fills, waits for the previous one
    /// to be written and starts writing this one.
    mutating func write(_ chunk: ByteBuffer) async throws {
        var rest = chunk.readableBytesView[...]
        while !rest.isEmpty {
            let taken = rest.withUnsafeBytes { block.append($0) }
            rest = rest.dropFirst(taken)
            if block.isFull { try await startWritingBlock() }
        }
    }

    /// Writes what is left and waits until every block is written.
    mutating func finish() async throws {
        if block.count > 0 { try await startWritingBlock() }
        while !inFlight.isEmpty { _ = try await takeOldest() }
    }

    /// Waits for a block still in flight, so that none outlives the upload
    /// (its file is closed or removed next), without reporting its error.
    mutating func abandon() async {
        while !inFlight.isEmpty { _ = try? await takeOldest() }
    }

    private mutating func startWritingBlock() async throws {
        let next = inFlight.count < Self.blocksInFlight
            ? AlignedBlock(capacity: Self.blockSize) : try await takeOldest()
        next.count = 0
        let full = block
        block = next
        let (file, offset) = (self.file, self.offset)
        inFlight.append(Task {
            try await file.write(full, at: offset)
            return full
        })
        self.offset += Int64(full.count)
    }

    private mutating func takeOldest() async throws -> AlignedBlock {
        try await inFlight.removeFirst().value
    }
}

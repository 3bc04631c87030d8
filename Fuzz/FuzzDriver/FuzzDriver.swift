import Foundation

/// What a fuzz target tests: one input, as libFuzzer hands it over. It
/// returns 0; a finding is a crash or trap inside it.
public typealias FuzzTest = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Starts a fuzz target. Built with libFuzzer (`scripts/fuzz`) it runs
/// libFuzzer's own driver, which reads the command line (corpus folders,
/// `-max_total_time=` and the rest); in a plain build it runs each input
/// file named on the command line once, to replay a reproducer.
public enum FuzzDriver {
    public static func main(_ test: FuzzTest) throws -> Never {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, test))
        #else
        for path in CommandLine.arguments.dropFirst() {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
            }
            _ = Array(contents).withUnsafeBufferPointer { test($0.baseAddress, $0.count) }
            print("\(path): no crash")
        }
        exit(0)
        #endif
    }
}

#if FUZZING
// libFuzzer's driver, for programs that have a main function of their own
// (SwiftPM gives every executable one): `int LLVMFuzzerRunDriver(int *argc,
// char ***argv, int (*callback)(const uint8_t *, size_t))`.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzTest
) -> CInt
#endif

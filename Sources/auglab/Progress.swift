#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress and notes on stderr: a `\r` counter when stderr is a terminal, otherwise one line
/// per 10% of the work (so logs stay short); nothing when quiet.
struct ProgressReporter: Sendable {
    /// What is being counted, e.g. "augment: variants".
    let label: String
    /// Whether to stay silent.
    let quiet: Bool
    /// Whether stderr is a terminal.
    let interactive: Bool

    /// A reporter for `label`.
    init(label: String, quiet: Bool) {
        self.label = label
        self.quiet = quiet
        self.interactive = isatty(STDERR_FILENO) == 1
    }

    /// Reports `done` of `total` (called with increasing `done`).
    func update(_ done: Int, of total: Int) {
        guard !quiet, total > 0 else { return }
        if interactive {
            StandardError.write("\r\(label) \(done)/\(total)" + (done == total ? "\n" : ""))
        } else {
            let step = max(1, (total + 9) / 10)
            if done % step == 0 || done == total {
                StandardError.write("\(label) \(done)/\(total) (\(done * 100 / total)%)\n")
            }
        }
    }
}

/// `write(2)` to stderr, under a name the `StandardError.write` method does not shadow.
private func writeStandardError(_ bytes: UnsafeRawBufferPointer) -> Int {
    guard let base = bytes.baseAddress else { return 0 }
    return write(STDERR_FILENO, base, bytes.count)
}

/// Writes text to stderr with `write(2)` (no shared C `FILE*`, so no concurrency warnings).
enum StandardError {
    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { writeStandardError(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            if written <= 0 { return }
            offset += written
        }
    }
}

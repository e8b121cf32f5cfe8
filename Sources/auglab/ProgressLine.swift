import Encoders
import Foundation
import Synchronization

/// Progress of long work on stderr: a line rewritten in place on a terminal, occasional lines
/// otherwise, nothing at all for work that finishes within a second.
final class ProgressLine: Sendable {
    private struct State {
        var started = Date()
        var lastShown: Date?
        var shownAny = false
    }

    private let label: String
    private let enabled: Bool
    private let terminal = isatty(STDERR_FILENO) == 1
    private let state = Mutex(State())

    /// A progress line for `label` (e.g. "embedding images"); `enabled: false` shows nothing.
    init(_ label: String, enabled: Bool = true) {
        self.label = label
        self.enabled = enabled
    }

    /// The callback to hand to an encoder.
    var callback: EncodingProgress {
        { [self] completed, total in update(completed, total) }
    }

    private func update(_ completed: Int, _ total: Int) {
        guard enabled else { return }
        let now = Date()
        let text: String? = state.withLock { state in
            guard now.timeIntervalSince(state.started) >= 1 else { return nil }
            let interval: TimeInterval = terminal ? 0.2 : 5
            if let last = state.lastShown, now.timeIntervalSince(last) < interval, completed < total { return nil }
            state.lastShown = now
            state.shownAny = true
            let percent = total > 0 ? 100 * completed / total : 100
            let line = "\(label): \(completed)/\(total) (\(percent)%)"
            return terminal ? "\r\u{1B}[K" + line : line + "\n"
        }
        if let text { Self.writeError(text) }
    }

    /// Ends the line on a terminal (call once the work is done).
    func finish() {
        let needsNewline = state.withLock { $0.shownAny } && terminal
        if needsNewline { Self.writeError("\n") }
    }

    /// Writes `text` to stderr.
    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// A user-facing error of the command line: one line naming the file and the problem.
///
/// ArgumentParser prints it as `Error: <description>` on stderr and exits with status 1.
/// Errors of the library layers (`SweepError`, `ImagingError`, …) are wrapped with their own
/// one-line description; line breaks are folded so the message stays on one line.
struct CLIError: Error, CustomStringConvertible {
    /// The message.
    let description: String

    /// An error with `message` (line breaks become spaces).
    init(_ message: String) {
        description = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// An error carrying another error's description.
    init(_ error: any Error) {
        self.init(String(describing: error))
    }
}

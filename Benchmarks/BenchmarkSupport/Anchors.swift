import Foundation

/// Reads the speed anchors in ../shared/anchors: markdown tables measured on this machine with
/// the tools AugLab's users would otherwise use, so benchmarks can print ratios against them.
public enum Anchors {
    /// The anchors folder: `$AUGLAB_SHARED/anchors`, else `../shared/anchors` from the current
    /// directory or any parent of it.
    public static func directory() -> URL? {
        let fm = FileManager.default
        if let shared = ProcessInfo.processInfo.environment["AUGLAB_SHARED"] {
            return URL(fileURLWithPath: shared).appendingPathComponent("anchors")
        }
        var dir = URL(fileURLWithPath: fm.currentDirectoryPath)
        for _ in 0..<6 {
            let candidate = dir.deletingLastPathComponent().appendingPathComponent("shared/anchors")
            if fm.fileExists(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        return nil
    }

    /// Every row of every markdown table in `file` (e.g. "image-ops.md"), as header → cell.
    public static func tableRows(in file: String) -> [[String: String]] {
        guard let dir = directory(),
              let text = try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) else { return [] }
        var rows: [[String: String]] = []
        var header: [String]? = nil
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("|") else { header = nil; continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
                .dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
            if header == nil { header = cells; continue }
            if cells.allSatisfy({ $0.allSatisfy { "-: ".contains($0) } }) { continue }
            guard let header else { continue }
            var row: [String: String] = [:]
            for (key, value) in zip(header, cells) { row[key] = value }
            rows.append(row)
        }
        return rows
    }

    /// The first number in a cell such as "10.37 (9.88 / 10.85)" or "8.260".
    public static func number(_ cell: String?) -> Double? {
        guard let cell else { return nil }
        let scanner = Scanner(string: cell)
        return scanner.scanDouble()
    }
}

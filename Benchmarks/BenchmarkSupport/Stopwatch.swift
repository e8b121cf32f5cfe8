import Foundation

/// Wall-clock timing for release-mode benchmarks: warm-up, then repeated runs, median and minimum.
///
/// The machines this runs on are shared and their second core comes and goes, so each
/// measurement also records how busy the *other* processes kept the CPU while it ran
/// (`otherCores`, from /proc/stat); figures taken with `otherCores > 0.1` are suspect.
public enum Stopwatch {
    /// The timings of one benchmarked operation, in milliseconds.
    public struct Measurement: Sendable, CustomStringConvertible {
        public var name: String
        /// Median over the timed runs (ms).
        public var medianMilliseconds: Double
        /// Fastest timed run (ms).
        public var minimumMilliseconds: Double
        /// Number of timed runs.
        public var runs: Int
        /// CPU cores used by other processes during the timed runs (0 = quiet machine).
        public var otherCores: Double

        public var description: String {
            String(format: "%@: median %.3f ms, min %.3f ms, %d runs, others %.2f cores",
                   name, medianMilliseconds, minimumMilliseconds, runs, otherCores)
        }
    }

    /// Times `body`: `warmUp` untimed calls, then at least `minRuns` timed calls, continuing
    /// until `minSeconds` have passed or `maxRuns` calls were made.
    public static func measure(_ name: String, warmUp: Int = 2, minRuns: Int = 7, minSeconds: Double = 0.6,
                               maxRuns: Int = 60, _ body: () throws -> Void) rethrows -> Measurement {
        for _ in 0..<warmUp { try body() }
        var samples: [Double] = []
        let cpuBefore = CPUUsage.sample()
        let start = DispatchTime.now().uptimeNanoseconds
        while samples.count < minRuns
            || (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < minSeconds && samples.count < maxRuns) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        let cpuAfter = CPUUsage.sample()
        samples.sort()
        let median = samples.count % 2 == 1 ? samples[samples.count / 2]
            : (samples[samples.count / 2 - 1] + samples[samples.count / 2]) / 2
        return Measurement(name: name, medianMilliseconds: median, minimumMilliseconds: samples[0],
                           runs: samples.count, otherCores: CPUUsage.otherCores(from: cpuBefore, to: cpuAfter))
    }
}

/// Busy CPU time of the whole machine and of this process, to tell a quiet machine from a busy one.
public enum CPUUsage {
    /// A snapshot: machine busy seconds, this process's CPU seconds, and wall time.
    public struct Sample: Sendable {
        var machineBusySeconds: Double
        var processSeconds: Double
        var wallSeconds: Double
    }

    /// Reads /proc/stat and getrusage now (zeros where unavailable).
    public static func sample() -> Sample {
        var busy = 0.0
        if let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) {
            let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            // user nice system idle iowait irq softirq steal ...
            if fields.count >= 8 {
                busy = (fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]) / 100.0
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let own = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return Sample(machineBusySeconds: busy, processSeconds: own,
                      wallSeconds: Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
    }

    /// Cores kept busy by other processes between two samples (never negative).
    public static func otherCores(from a: Sample, to b: Sample) -> Double {
        let wall = b.wallSeconds - a.wallSeconds
        guard wall > 0 else { return 0 }
        let others = (b.machineBusySeconds - a.machineBusySeconds) - (b.processSeconds - a.processSeconds)
        return max(0, others / wall)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A headless Chromium driven through the DevTools protocol over `--remote-debugging-pipe`,
/// for tests that must see a page as a browser does.
///
/// Chromium reads CDP messages (JSON, each ended by a NUL byte) from its file descriptor 3 and
/// writes replies and events to descriptor 4. Both are one end of a Unix socket pair here
/// (sockets, so a write after Chromium died fails with EPIPE instead of raising SIGPIPE). The
/// browser runs in its own process group, which `close()` ends with SIGKILL after a polite
/// `Browser.close`; every wait has a timeout, so a hung browser fails a test instead of hanging it.
///
/// Thread-safety: all mutable state is guarded by `condition`; the reader thread only appends
/// messages. One instance may be used from one test at a time.
public final class BrowserSession: @unchecked Sendable {
    /// Why the browser could not do what was asked.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Where Chromium is looked for: `$AUGLAB_CHROMIUM`, then Debian's and other usual paths.
    public static var candidatePaths: [String] {
        var paths: [String] = []
        if let custom = ProcessInfo.processInfo.environment["AUGLAB_CHROMIUM"], !custom.isEmpty { paths.append(custom) }
        return paths + ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    }

    /// The first executable Chromium, or a failure that says how to install it.
    public static func locateChromium(candidates: [String] = candidatePaths) throws -> String {
        for path in candidates where access(path, X_OK) == 0 { return path }
        throw Failure("Chromium was not found (looked at \(candidates.joined(separator: ", "))). The report tests need a real browser: install Debian's package with `apt-get install chromium` (scripts/install-deps.sh does), or set AUGLAB_CHROMIUM to a Chromium executable.")
    }

    private let pid: pid_t
    private let socket: Int32
    private let profile: URL
    private let condition = NSCondition()
    private var nextID = 0
    private var responses: [Int: [String: Any]] = [:]
    private var events: [[String: Any]] = []
    private var readerFinished = false
    private var closed = false

    /// The log of Chromium's standard error (useful when a launch fails).
    public var logPath: String { profile.appendingPathComponent("chromium.log").path }

    /// Starts headless Chromium and waits until it answers.
    ///
    /// - Parameter timeout: seconds to wait for the first answer.
    /// - Throws: `Failure` when Chromium is missing, cannot start or does not answer in time.
    public init(timeout: Double = 30) throws {
        let executable = try Self.locateChromium()
        profile = FileManager.default.temporaryDirectory
            .appendingPathComponent("auglab-chromium-\(getpid())-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)

        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else {
            throw Failure("socketpair failed: \(String(cString: strerror(errno)))")
        }
        // Keep our descriptors above 4 and close-on-exec, so the dup2 onto 3 and 4 is what the child gets.
        let parentEnd = fcntl(pair[0], F_DUPFD_CLOEXEC, 10), childEnd = fcntl(pair[1], F_DUPFD_CLOEXEC, 10)
        Glibc.close(pair[0])
        Glibc.close(pair[1])
        guard parentEnd >= 0, childEnd >= 0 else { throw Failure("cannot move the browser pipe descriptors") }

        let arguments = [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--no-default-browser-check", "--user-data-dir=\(profile.path)", "--remote-debugging-pipe",
                         "--disable-extensions", "--disable-background-networking", "--disable-sync",
                         "--disable-component-update", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                         "--window-size=1280,1000", "about:blank"]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childEnd, 3)
        posix_spawn_file_actions_adddup2(&actions, childEnd, 4)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let log = profile.appendingPathComponent("chromium.log").path
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        var childPID: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawn(&childPID, executable, &actions, &attributes, argv, environ)
        Glibc.close(childEnd)
        guard status == 0 else {
            Glibc.close(parentEnd)
            try? FileManager.default.removeItem(at: profile)
            throw Failure("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = childPID
        socket = parentEnd
        let reader = Thread { self.readLoop() }  // strong: the reader ends when close() shuts the socket
        reader.name = "chromium-cdp-reader"
        reader.start()
        do {
            _ = try send("Browser.getVersion", timeout: timeout)
        } catch {
            let message = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            close()
            throw Failure("Chromium did not answer within \(timeout) s: \(error). Its log: \(message.suffix(2000))")
        }
    }

    deinit { close() }

    /// Sends a CDP command and waits for its reply; returns the reply's `result`.
    ///
    /// - Parameters:
    ///   - session: the target session (from `Target.attachToTarget`), nil for the browser.
    /// - Throws: `Failure` on a protocol error, a dead browser or no reply within `timeout` seconds.
    @discardableResult
    public func send(_ method: String, _ parameters: [String: Any] = [:], session: String? = nil,
                     timeout: Double = 20) throws -> [String: Any] {
        condition.lock()
        if closed || readerFinished {
            condition.unlock()
            throw Failure("\(method): the browser is not running")
        }
        nextID += 1
        let id = nextID
        condition.unlock()
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        try writeAll(bytes)

        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while responses[id] == nil {
            if readerFinished { throw Failure("\(method): the browser closed the connection") }
            if !condition.wait(until: deadline) && responses[id] == nil {
                throw Failure("\(method): no reply within \(timeout) s")
            }
        }
        let reply = responses.removeValue(forKey: id) ?? [:]
        if let error = reply["error"] as? [String: Any] {
            throw Failure("\(method) failed: \(error["message"] ?? error)")
        }
        return reply["result"] as? [String: Any] ?? [:]
    }

    /// The events received so far (each a CDP message with `method`, `params`, maybe `sessionId`).
    public func receivedEvents() -> [[String: Any]] {
        condition.lock()
        defer { condition.unlock() }
        return events
    }

    /// Waits until an event at position `after` or later satisfies `match`; returns it.
    ///
    /// - Throws: `Failure` when none arrives within `timeout` seconds.
    @discardableResult
    public func waitForEvent(after start: Int = 0, timeout: Double = 20,
                             where match: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        var checked = max(0, start)
        while true {
            while checked < events.count {
                if match(events[checked]) { return events[checked] }
                checked += 1
            }
            if readerFinished { throw Failure("the browser closed the connection while an event was awaited") }
            if !condition.wait(until: deadline) && checked == events.count {
                throw Failure("no matching event within \(timeout) s")
            }
        }
    }

    /// Ends the browser: `Browser.close`, then SIGKILL to its process group if it has not
    /// exited within 3 s; removes the temporary profile. Safe to call more than once.
    public func close() {
        condition.lock()
        let alreadyClosed = closed
        let readerAlive = !readerFinished
        closed = true
        condition.unlock()
        guard !alreadyClosed else { return }
        if readerAlive {
            var bytes = [UInt8]((try? JSONSerialization.data(withJSONObject: ["id": 0, "method": "Browser.close"])) ?? Data())
            bytes.append(0)
            try? writeAll(bytes)
        }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(3)
        var exited = false
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { exited = true; break }
            usleep(20_000)
        }
        // The whole group: helpers (zygote, renderers) must not outlive the test.
        kill(-pid, SIGKILL)
        if !exited { _ = waitpid(pid, &status, 0) }
        shutdown(socket, Int32(SHUT_RDWR))
        Glibc.close(socket)
        try? FileManager.default.removeItem(at: profile)
    }

    /// The process id of the browser (its process group id too).
    public var processID: pid_t { pid }

    private func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            guard var next = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = Glibc.send(socket, next, remaining, Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Failure("cannot write to the browser: \(String(cString: strerror(errno)))")
                }
                next += written
                remaining -= written
            }
        }
    }

    private func readLoop() {
        var pending = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            pending.append(contentsOf: chunk[0..<count])
            var start = 0
            var messages: [[String: Any]] = []
            while let end = pending[start...].firstIndex(of: 0) {
                let body = Data(pending[start..<end])
                if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] { messages.append(object) }
                start = end + 1
            }
            if start > 0 { pending.removeFirst(start) }
            guard !messages.isEmpty else { continue }
            condition.lock()
            for message in messages {
                if let id = message["id"] as? Int, message["method"] == nil { responses[id] = message } else { events.append(message) }
            }
            condition.broadcast()
            condition.unlock()
        }
        condition.lock()
        readerFinished = true
        condition.broadcast()
        condition.unlock()
    }
}

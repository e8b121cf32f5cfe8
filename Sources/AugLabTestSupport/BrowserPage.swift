import Foundation

/// One tab of a `BrowserSession`: navigate, evaluate script, move the mouse, take screenshots,
/// and collect what the page reported (console errors, exceptions, log errors, dialogs).
public final class BrowserPage: @unchecked Sendable {
    /// A problem the page reported.
    public struct Problem: Sendable, CustomStringConvertible {
        /// `exception`, `console-<type>`, `log-<level>` or `dialog`.
        public var kind: String
        /// The message.
        public var text: String
        public var description: String { "\(kind): \(text)" }
    }

    /// The browser the tab belongs to.
    public let browser: BrowserSession
    /// The CDP session of the tab.
    public let session: String
    private let eventsBefore: Int

    /// Opens a new tab with a fixed viewport (CSS pixels, device scale factor 1) and turns on
    /// the page, runtime and log domains so their reports are recorded.
    ///
    /// - Throws: `BrowserSession.Failure` from the protocol.
    public init(browser: BrowserSession, width: Int = 1280, height: Int = 1000) throws {
        self.browser = browser
        eventsBefore = browser.receivedEvents().count
        let target = try browser.send("Target.createTarget", ["url": "about:blank"])
        guard let targetID = target["targetId"] as? String else { throw BrowserSession.Failure("Target.createTarget gave no targetId") }
        let attached = try browser.send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw BrowserSession.Failure("Target.attachToTarget gave no sessionId") }
        self.session = session
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] { try send(domain) }
        try send("Emulation.setDeviceMetricsOverride",
                 ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false])
    }

    /// Sends a command to this tab.
    @discardableResult
    public func send(_ method: String, _ parameters: [String: Any] = [:], timeout: Double = 20) throws -> [String: Any] {
        try browser.send(method, parameters, session: session, timeout: timeout)
    }

    /// Navigates to `url` and waits for the load event.
    ///
    /// - Throws: `BrowserSession.Failure` on a navigation error or no load within `timeout` s.
    public func open(_ url: URL, timeout: Double = 30) throws {
        let already = browser.receivedEvents().count
        let result = try send("Page.navigate", ["url": url.absoluteString], timeout: timeout)
        if let error = result["errorText"] as? String, !error.isEmpty {
            throw BrowserSession.Failure("navigation to \(url.path) failed: \(error)")
        }
        let session = self.session
        try browser.waitForEvent(after: already, timeout: timeout) { event in
            event["method"] as? String == "Page.loadEventFired" && event["sessionId"] as? String == session
        }
    }

    /// Evaluates a JavaScript expression and returns its value (JSON-compatible values only).
    ///
    /// - Throws: `BrowserSession.Failure` when the expression throws.
    public func evaluate(_ expression: String, timeout: Double = 20) throws -> Any? {
        let result = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true],
                              timeout: timeout)
        if let details = result["exceptionDetails"] as? [String: Any] {
            let exception = (details["exception"] as? [String: Any])?["description"] ?? details["text"] ?? details
            throw BrowserSession.Failure("script failed: \(exception) in: \(expression.prefix(200))")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Polls `expression` every 20 ms until it is `true`.
    ///
    /// - Throws: `BrowserSession.Failure` when it is not true within `timeout` seconds.
    public func waitUntil(_ expression: String, timeout: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try evaluate(expression) as? Bool == true { return }
            usleep(20_000)
        }
        throw BrowserSession.Failure("\(expression) did not become true within \(timeout) s")
    }

    /// Moves the mouse to (x, y) in CSS pixels of the viewport (a real input event).
    public func moveMouse(x: Double, y: Double) throws {
        try send("Input.dispatchMouseEvent", ["type": "mouseMoved", "x": x, "y": y, "button": "none"])
    }

    /// A PNG screenshot of the viewport.
    public func screenshot() throws -> [UInt8] {
        let result = try send("Page.captureScreenshot", ["format": "png"], timeout: 30)
        guard let text = result["data"] as? String, let data = Data(base64Encoded: text) else {
            throw BrowserSession.Failure("Page.captureScreenshot returned no image")
        }
        return [UInt8](data)
    }

    /// Everything this tab reported that a clean page never does: exceptions, console errors
    /// and assertions, log entries of level error, and JavaScript dialogs (alert, confirm, …).
    public func problems() -> [Problem] {
        var found: [Problem] = []
        for event in browser.receivedEvents().dropFirst(eventsBefore) where event["sessionId"] as? String == session {
            let params = event["params"] as? [String: Any] ?? [:]
            switch event["method"] as? String {
            case "Runtime.exceptionThrown":
                let details = params["exceptionDetails"] as? [String: Any] ?? [:]
                let exception = (details["exception"] as? [String: Any])?["description"] ?? details["text"] ?? ""
                found.append(Problem(kind: "exception", text: "\(exception)"))
            case "Runtime.consoleAPICalled":
                let type = params["type"] as? String ?? ""
                if type == "error" || type == "assert" {
                    let arguments = (params["args"] as? [[String: Any]] ?? []).map { "\($0["value"] ?? $0["description"] ?? "")" }
                    found.append(Problem(kind: "console-\(type)", text: arguments.joined(separator: " ")))
                }
            case "Log.entryAdded":
                let entry = params["entry"] as? [String: Any] ?? [:]
                if entry["level"] as? String == "error" {
                    found.append(Problem(kind: "log-error", text: "\(entry["text"] ?? "") \(entry["url"] ?? "")"))
                }
            case "Page.javascriptDialogOpening":
                found.append(Problem(kind: "dialog", text: "\(params["type"] ?? ""): \(params["message"] ?? "")"))
                _ = try? send("Page.handleJavaScriptDialog", ["accept": true], timeout: 5)
            default:
                break
            }
        }
        return found
    }
}

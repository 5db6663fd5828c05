#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The controlling terminal: raw mode through termios (restored on exit and on SIGINT, SIGTERM,
/// SIGHUP and SIGQUIT), the window size through `TIOCGWINSZ`, and unbuffered writes.
///
/// Related documentation: termios(3), ioctl_tty(2).
public final class Terminal {
    public let input: Int32
    public let output: Int32
    private var saved = termios()
    private var isRaw = false
    /// Alternate screen and hidden cursor are used.
    public private(set) var fullScreen = false

    public init(input: Int32 = 0, output: Int32 = 1) {
        self.input = input
        self.output = output
    }

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) != 0 }

    /// Switches the input to raw mode (no echo, no line buffering, no signals from Ctrl-C: the
    /// session reads it as a key) and, when `fullScreen`, the output to the alternate screen.
    /// - Throws: ``TerminalError`` when the terminal settings cannot be read or set.
    public func enterRawMode(fullScreen: Bool) throws(TerminalError) {
        guard tcgetattr(input, &saved) == 0 else { throw TerminalError("tcgetattr", errno) }
        var raw = saved
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_oflag &= ~tcflag_t(OPOST)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSAFLUSH, &raw) == 0 else { throw TerminalError("tcsetattr", errno) }
        isRaw = true
        self.fullScreen = fullScreen
        TerminalRestore.install(fd: input, saved: saved, output: output, fullScreen: fullScreen)
        if fullScreen { write("\u{1B}[?1049h\u{1B}[?25l") }
    }

    /// Restores the saved settings and the main screen. Safe to call more than once.
    public func restore() {
        guard isRaw else { return }
        if fullScreen { write("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l") }
        _ = tcsetattr(input, TCSAFLUSH, &saved)
        isRaw = false
        TerminalRestore.uninstall()
    }

    deinit { restore() }

    /// Columns and rows from `TIOCGWINSZ`, else `$COLUMNS` / `$LINES`, else 80 × 24.
    public func size() -> (columns: Int, rows: Int) {
        var ws = winsize()
        if ioctl(output, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 {
            return (Int(ws.ws_col), Int(ws.ws_row))
        }
        let columns = getenv("COLUMNS").flatMap { Int(String(cString: $0)) } ?? 80
        let rows = getenv("LINES").flatMap { Int(String(cString: $0)) } ?? 24
        return (max(columns, 20), max(rows, 8))
    }

    /// Writes all of `text`, retrying on EINTR.
    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(output, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }

    /// Blocks until input arrives and returns the bytes read (one key or escape sequence, or a
    /// pasted run). Returns `nil` at end of input; an empty array when a resize interrupted.
    public func readBytes() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
        if n < 0 { return errno == EINTR ? [] : nil }
        if n == 0 { return nil }
        return Array(buffer[0..<n])
    }
}

public struct TerminalError: Error, CustomStringConvertible {
    public var function: String
    public var code: Int32
    init(_ function: String, _ code: Int32) {
        self.function = function
        self.code = code
    }
    public var description: String {
        "Could not switch the terminal to raw mode (\(function): \(String(cString: strerror(code)))). Run `smugglewatch review` in a terminal, or use `smugglewatch label` from scripts."
    }
}

/// What the signal handlers need, in globals a C signal handler can read.
enum TerminalRestore {
    nonisolated(unsafe) static var fd: Int32 = -1
    nonisolated(unsafe) static var output: Int32 = 1
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var fullScreen = false
    nonisolated(unsafe) static var resized: sig_atomic_t = 0

    static func install(fd: Int32, saved: termios, output: Int32, fullScreen: Bool) {
        Self.saved = saved
        Self.output = output
        Self.fullScreen = fullScreen
        Self.fd = fd
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                // Only async-signal-safe calls: tcsetattr, write, signal, raise.
                if TerminalRestore.fd >= 0 {
                    if TerminalRestore.fullScreen {
                        let text: StaticString = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"
                        _ = Glibc.write(TerminalRestore.output, text.utf8Start, text.utf8CodeUnitCount)
                    }
                    _ = tcsetattr(TerminalRestore.fd, TCSAFLUSH, &TerminalRestore.saved)
                }
                signal(sig, SIG_DFL)
                raise(sig)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(sig, &action, nil)
        }
        var winch = sigaction()
        winch.__sigaction_handler.sa_handler = { _ in TerminalRestore.resized = 1 }
        sigemptyset(&winch.sa_mask)
        winch.sa_flags = 0  // no SA_RESTART: a blocked read returns EINTR and the screen is redrawn
        sigaction(SIGWINCH, &winch, nil)
    }

    static func uninstall() {
        fd = -1
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH] { signal(sig, SIG_DFL) }
    }
}

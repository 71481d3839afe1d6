/// Text from outside (file names, URLs, manifest values, libav messages) made
/// safe to echo in one line: a name with a newline must not forge a second
/// `error:` line, an escape sequence must not reach the terminal, and a huge
/// value must not make a line nobody can read.
public enum DisplayText {
    /// The longest piece of outside text echoed whole; longer text keeps its
    /// head and tail around an ellipsis.
    public static let maximumLength = 240

    /// `text` with control characters escaped (`\n`, `\t`, `\u{1B}` ...) and
    /// cut to ``maximumLength`` characters.
    public static func escaped(_ text: String, maximumLength: Int = DisplayText.maximumLength) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                    || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        guard result.count > maximumLength else { return result }
        let keep = max(1, (maximumLength - 1) / 2)
        return String(result.prefix(keep)) + "…" + String(result.suffix(keep))
    }

    /// The one line `error: <subject>: <message>` (or `warning: ...`), every part escaped.
    public static func line(_ severity: String, subject: String, message: String) -> String {
        "\(severity): \(escaped(subject)): \(escaped(message, maximumLength: 2 * maximumLength))"
    }
}

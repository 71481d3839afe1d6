import Foundation

/// Finds a command-line argument that starts with `-` but is really a file
/// name (`-dash.mp4`): a dot or slash, which no option cluster contains, or a
/// file of that name in the working folder. Arguments after `--` are names by
/// definition and are not looked at.
public enum OptionLookingFileName {
    /// - Returns: the first such argument, or nil.
    public static func find(in arguments: [String]) -> String? {
        for argument in arguments {
            if argument == "--" { return nil }
            guard argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2 else { continue }
            if argument.contains(".") && !argument.dropFirst().allSatisfy({ $0.isNumber || $0 == "." || $0 == "e" }) { return argument }
            if argument.contains("/") || FileManager.default.fileExists(atPath: argument) { return argument }
        }
        return nil
    }
}

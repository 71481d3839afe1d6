import ArgumentParser
import Foundation
import MediaDocuments
import MediaOps

/// `pixsim-media storyboard FILE -o OUT.jpg [--count N] [--columns C] [--width W]`.
struct StoryboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storyboard",
        abstract: "Write a contact sheet: N frames in a grid with time codes, under a header line.",
        discussion: "--width is the width of the whole sheet. With --json prints the sheet's size and each tile's time and frame."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The video.")
    var file: String

    @Option(name: .shortAndLong, help: "The image to write (JPEG; PNG when it ends in .png).")
    var output: String

    @Option(name: .long, help: "Number of frames.")
    var count = 12

    @Option(name: .long, help: "Frames per row.")
    var columns = 4

    @Option(name: .long, help: "Width of the sheet in pixels.")
    var width = 1280

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard columns >= 1 else { throw ValidationError("--columns must be at least 1") }
        guard width >= 64 else { throw ValidationError("--width must be at least 64") }
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: file) {
            let sheet = try Storyboard.write(file, to: output, request: StoryboardRequest(count: count, columns: columns, width: width))
            if options.json {
                try CommandOutput.printJSON(sheet)
            } else if !options.quiet {
                CommandOutput.printLine("\(sheet.output)  \(sheet.width)x\(sheet.height)  \(sheet.tiles.count) frames in \(sheet.rows)x\(sheet.columns)")
            }
        }
    }
}

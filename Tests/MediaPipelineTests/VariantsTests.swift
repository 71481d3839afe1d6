import Foundation
@testable import MediaLibrary
import MediaTestSupport
import Testing

/// `variants create|list` (issue 12), end to end through the binary: compressed and upscaled renditions
/// checked against the ffmpeg command line as oracle, reframing checked against generated footage whose
/// subject position is known by formula, on SQLite and PostgreSQL libraries.
@Suite struct VariantsTests {
    enum Engine: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// A library of either engine: its command-line arguments, its file store, and how to read its variant rows.
    struct Library {
        var arguments: [String]
        var store: URL
        var engine: Engine
        var database: String?

        init(_ engine: Engine, in folder: URL) throws {
            self.engine = engine
            switch engine {
            case .sqlite:
                store = folder.appendingPathComponent("library")
                arguments = ["--library", store.path]
            case .postgres:
                let url = try PostgresTestServer.shared().createDatabase()
                store = folder.appendingPathComponent("store")
                arguments = ["--library", url, "--files", store.path]
                database = String(url.split(separator: "/").last!)
            }
        }

        func run(_ binary: String, _ command: [String], allowFailure: Bool = false) throws -> (stdout: String, stderr: String, status: Int32) {
            try TestMedia.run(binary, [command[0]] + (command.count > 1 ? [command[1]] : []) + arguments
                              + Array(command.dropFirst(command.count > 1 ? 2 : 1)), allowFailure: allowFailure)
        }

        /// Ingests a file with the probe stage only; returns its asset id.
        func ingest(_ binary: String, _ file: URL) throws -> Int {
            let out = try VariantsTests.json(run(binary, ["ingest", file.path, "--stages", "probe", "--json"]).stdout)
            return try #require((out["items"] as? [[String: Any]])?.first?["asset_id"] as? Int)
        }

        /// Every file under the store's `files/` folder.
        func storedFiles() -> Set<String> {
            let root = store.appendingPathComponent("files")
            let items = FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []
            return Set(items)
        }

        /// Leftovers of writes in the store's `tmp/` folder.
        func partialFiles() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent("tmp").path)) ?? [])
                .filter { $0.contains(".partial") }
        }

        /// The metadata JSON of the asset's variant rows, read from the database itself.
        func variantRows(of assetID: Int) throws -> [(id: Int, type: String, metadata: [String: Any])] {
            switch engine {
            case .sqlite:
                let library = try SQLiteLibraryStore.open(folder: store)
                return try library.variants(ofAsset: Int64(assetID)).map { row in
                    (Int(row.id ?? 0), row.variantType, try VariantsTests.json(row.metadata ?? "{}"))
                }
            case .postgres:
                let text = try PostgresTestServer.shared().psql(
                    "SELECT coalesce(json_agg(json_build_object('id', id, 'type', variant_type, 'metadata', metadata) ORDER BY id), '[]') FROM asset_variants WHERE asset_id = \(assetID)",
                    database: database!)
                let rows = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
                return try rows.map { ($0["id"] as? Int ?? 0, $0["type"] as? String ?? "", try VariantsTests.json($0["metadata"] as? String ?? "{}")) }
            }
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// The top-level MP4 boxes, in file order.
    static func topLevelBoxes(_ url: URL) throws -> [String] {
        let data = try Data(contentsOf: url)
        var boxes: [String] = []
        var offset = 0
        while offset + 8 <= data.count {
            var size = data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: data[offset + 4..<offset + 8], as: UTF8.self)
            if size == 1, offset + 16 <= data.count { size = data[offset + 8..<offset + 16].reduce(0) { $0 << 8 | Int($1) } }
            if size == 0 { size = data.count - offset }
            boxes.append(type)
            guard size >= 8 else { break }
            offset += size
        }
        return boxes
    }

    /// First video stream: width, height, frame count (decoded, `-count_frames`), duration, tags.
    static func videoFacts(_ url: URL) throws -> [String: Any] {
        let probe = try TestMedia.ffprobeJSON(["-select_streams", "v:0", "-count_frames", "-show_streams", url.path])
        return try #require((probe["streams"] as? [[String: Any]])?.first)
    }

    /// The average PSNR (dB) of `candidate` against `reference` after `referenceFilter`, by ffmpeg's `psnr` filter.
    static func psnr(_ candidate: URL, against reference: URL, referenceFilter: String) throws -> Double {
        let result = try TestMedia.run("ffmpeg", ["-hide_banner", "-nostdin", "-i", candidate.path, "-i", reference.path, "-lavfi",
                                                  "[1:v]\(referenceFilter)[ref];[0:v][ref]psnr", "-f", "null", "-"])
        let line = try #require(result.stderr.split(separator: "\n").last { $0.contains("average:") })
        let value = line.split(separator: " ").first { $0.hasPrefix("average:") }!.dropFirst("average:".count)
        return value == "inf" ? .infinity : try #require(Double(value))
    }

    // MARK: compressed

    @Test(.needsFFmpeg, arguments: Engine.allCases)
    func compressedIsAFaststartWebVersionWithEveryFrameAndItsLineage(engine: Engine) throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("variants-compressed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = try Library(engine, in: folder)
        // 1080p with colour tags: the web version is 720 lines, tags kept.
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("source.mp4"), seconds: 2, width: 1920, height: 1080,
                                            extra: ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709"])
        let id = try library.ingest(binary, source)
        let made = try Self.json(library.run(binary, ["variants", "create", "\(id)", "--type", "compressed", "--json"]).stdout)
        #expect(made["variant_type"] as? String == "compressed" && made["codec"] as? String == "h264" && made["created"] as? Bool == true)
        #expect(made["width"] as? Int == 1280 && made["height"] as? Int == 720)
        #expect((made["warnings"] as? [String]) == [], "nothing passed over: \(String(describing: made["warnings"]))")
        let path = try #require(made["path"] as? String)
        #expect(path.hasPrefix("files/"), "the path is relative to the file store")
        let file = library.store.appendingPathComponent(path)
        // Named by its own hash.
        #expect(file.deletingPathExtension().lastPathComponent == (try PipelineFixture.sha256(file)))
        // Plays from the first bytes: the index before the media.
        let boxes = try Self.topLevelBoxes(file)
        let moov = try #require(boxes.firstIndex(of: "moov")), mdat = try #require(boxes.firstIndex(of: "mdat"))
        #expect(moov < mdat, "\(boxes)")
        // Every frame, the same duration, the colour tags.
        let facts = try Self.videoFacts(file), original = try Self.videoFacts(source)
        #expect(facts["nb_read_frames"] as? String == original["nb_read_frames"] as? String)
        let duration = Double(facts["duration"] as? String ?? "") ?? -1, sourceDuration = Double(original["duration"] as? String ?? "") ?? -2
        #expect(abs(duration - sourceDuration) < 0.001, "\(duration) vs \(sourceDuration)")
        #expect(facts["color_primaries"] as? String == "bt709" && facts["color_space"] as? String == "bt709" && facts["color_transfer"] as? String == "bt709")
        #expect(facts["codec_name"] as? String == "h264" && facts["width"] as? Int == 1280 && facts["height"] as? Int == 720)
        let audio = try TestMedia.ffprobeJSON(["-select_streams", "a:0", "-show_streams", file.path])
        #expect((audio["streams"] as? [[String: Any]])?.first?["codec_name"] as? String == "aac")
        // Quality at the default CRF against the source scaled the same way.
        let quality = try Self.psnr(file, against: source, referenceFilter: "scale=1280:720:flags=bicubic")
        #expect(quality >= 38, "PSNR \(quality) dB")
        // The row and the lineage edge, read back.
        let variantAsset = try #require(made["variant_asset_id"] as? Int)
        let lineage = try Self.json(library.run(binary, ["lineage", "\(variantAsset)", "--ancestors", "--format", "json"]).stdout)
        let edges = lineage["edges"] as? [[String: Any]] ?? []
        #expect(edges.count == 1 && edges.first?["parent_asset_id"] as? Int == id && edges.first?["parent_role"] as? String == "variant_source"
                && edges.first?["operation_type"] as? String == "variant_compressed")
        let rows = try library.variantRows(of: id)
        #expect(rows.count == 1 && rows.first?.type == "compressed" && (rows.first?.metadata["frames"] as? Int) == 50)
        // Asking again: the same row, no new file.
        let filesBefore = library.storedFiles()
        let again = try Self.json(library.run(binary, ["variants", "create", "\(id)", "--type", "compressed", "--json"]).stdout)
        #expect(again["variant_id"] as? Int == made["variant_id"] as? Int && again["created"] as? Bool == false)
        #expect(again["warnings"] == nil, "nothing was rendered")
        #expect(library.storedFiles() == filesBefore && library.partialFiles().isEmpty)
        #expect(try library.variantRows(of: id).count == 1)
        // Listed, in both forms.
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(library.run(binary, ["variants", "list", "\(id)", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(listed.count == 1 && listed.first?["path"] as? String == path)
        #expect(try library.run(binary, ["variants", "list", "\(id)"]).stdout.contains("compressed 1280x720 h264"))
    }

    /// A source whose sound track's decoder refuses its damaged headers (`ConcatTests.damagedVorbisHeaders`): the
    /// rendition is made without the sound, and says so on stderr and in its JSON (before, it failed; and the
    /// render's warnings, such as a track left out, were dropped by `variants create`).
    @Test(.needsCorpus)
    func aRenditionSaysWhatItLeftOut() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("variants-warnings")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = try Library(.sqlite, in: folder)
        let source = try CorpusDamage.bytes([(599, 216)]).copy(of: "moviepy/big_buck_bunny_432_433.webm", in: folder)
        let id = try library.ingest(binary, source)
        let run = try library.run(binary, ["variants", "create", "\(id)", "--type", "compressed", "--height", "180",
                                           "--preset", "ultrafast", "--json"])
        let made = try Self.json(run.stdout)
        let warnings = try #require(made["warnings"] as? [String])
        #expect(warnings.count == 1 && warnings[0].hasPrefix("dropped stream #1 (audio vorbis): its decoder refuses its damaged headers"),
                "\(warnings)")
        #expect(run.stderr.contains("warning: asset \(id): dropped stream #1 (audio vorbis)"), "\(run.stderr)")
        let file = library.store.appendingPathComponent(try #require(made["path"] as? String))
        #expect(try Self.videoFacts(file)["nb_read_frames"] as? String == "24")
        let audio = try TestMedia.ffprobeJSON(["-select_streams", "a", "-show_streams", file.path])
        #expect((audio["streams"] as? [[String: Any]])?.isEmpty == true)
    }

    /// A quarter-turned 1080p clip (display 1080x1920): 720 display lines are 720 coded columns, the display matrix is kept.
    @Test(.needsCorpus)
    func compressedCountsDisplayLinesAndKeepsTheRotation() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("variants-rotation")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = try Library(.sqlite, in: folder)
        let source = try TestMedia.corpusFile("mediabunny/rotate-buck-bunny.mp4")
        let id = try library.ingest(binary, source)
        let made = try Self.json(library.run(binary, ["variants", "create", "\(id)", "--type", "compressed", "--json"]).stdout)
        #expect(made["width"] as? Int == 720 && made["height"] as? Int == 406)
        let file = library.store.appendingPathComponent(try #require(made["path"] as? String))
        let rotation = try TestMedia.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream_side_data=rotation",
                                                     "-of", "csv=p=0", file.path]).stdout
        #expect(rotation.trimmingCharacters(in: .whitespacesAndNewlines) == "-90", "display matrix: \(rotation)")
        #expect(try Self.videoFacts(file)["nb_read_frames"] as? String == (try Self.videoFacts(source))["nb_read_frames"] as? String)
        // Never larger than the source: 720 lines asked of a 240-line clip keep its 240.
        let small = try TestMedia.makeClip(at: folder.appendingPathComponent("small.mp4"), seconds: 1, width: 320, height: 240)
        let smallID = try library.ingest(binary, small)
        let kept = try Self.json(library.run(binary, ["variants", "create", "\(smallID)", "--type", "compressed", "--json"]).stdout)
        #expect(kept["width"] as? Int == 320 && kept["height"] as? Int == 240)
    }

    // MARK: upscaled

    @Test(.needsFFmpeg)
    func upscaledTwiceIsALanczosResampleOfEveryFrame() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("variants-upscaled")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = try Library(.sqlite, in: folder)
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("small.mp4"), seconds: 2, width: 320, height: 180,
                                            codec: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p"])
        let id = try library.ingest(binary, source)
        let made = try Self.json(library.run(binary, ["variants", "create", "\(id)", "--type", "upscaled", "--scale", "2", "--json"]).stdout)
        let file = library.store.appendingPathComponent(try #require(made["path"] as? String))
        let facts = try Self.videoFacts(file)
        #expect(facts["width"] as? Int == 640 && facts["height"] as? Int == 360)
        #expect(facts["nb_read_frames"] as? String == (try Self.videoFacts(source))["nb_read_frames"] as? String)
        let quality = try Self.psnr(file, against: source, referenceFilter: "scale=640:360:flags=lanczos")
        #expect(quality >= 40, "PSNR \(quality) dB")
        let edges = try Self.json(library.run(binary, ["lineage", "\(try #require(made["variant_asset_id"] as? Int))", "--format", "json"]).stdout)["edges"] as? [[String: Any]]
        #expect(edges?.first?["parent_role"] as? String == "variant_source" && edges?.first?["operation_type"] as? String == "variant_upscaled")
        // --height asks for a size: 540 lines, aspect kept.
        let tall = try Self.json(library.run(binary, ["variants", "create", "\(id)", "--type", "upscaled", "--height", "540", "--json"]).stdout)
        #expect(tall["width"] as? Int == 960 && tall["height"] as? Int == 540)
    }

    /// `--sharpen`: an unsharp mask on the luma after the Lanczos resample, the same in every sample as
    /// ffmpeg's `unsharp=5:5:AMOUNT:5:5:0` after its own Lanczos scale (compared losslessly, CRF 0), and
    /// a different rendition from the unsharpened one.
    @Test(.needsFFmpeg)
    func sharpenedUpscaleIsFFmpegsUnsharpMask() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("variants-sharpen")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = try Library(.sqlite, in: folder)
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("small.mp4"), seconds: 1, width: 320, height: 180,
                                            codec: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p"])
        let id = try library.ingest(binary, source)
        func upscale(_ extra: [String]) throws -> (file: URL, document: [String: Any]) {
            let made = try Self.json(library.run(binary, ["variants", "create", "\(id)", "--type", "upscaled", "--crf", "0", "--json"] + extra).stdout)
            return (library.store.appendingPathComponent(try #require(made["path"] as? String)), made)
        }
        let plain = try upscale([])
        let sharp = try upscale(["--sharpen", "0.8"])
        #expect(plain.file != sharp.file)
        #expect((sharp.document["parameters"] as? String)?.split(separator: ";").contains("sharpen=0.8") == true)
        let oracle = "scale=640:360:flags=lanczos,unsharp=5:5:0.8:5:5:0"
        let matching = try Self.psnr(sharp.file, against: source, referenceFilter: oracle)
        #expect(matching >= 60, "PSNR \(matching) dB against ffmpeg's unsharp")
        // The mask did something: the plain upscale is visibly off the sharpened oracle.
        let unsharpened = try Self.psnr(plain.file, against: source, referenceFilter: oracle)
        #expect(unsharpened < 45, "PSNR \(unsharpened) dB: the plain upscale is as sharp as the mask")
    }

    /// Whether the ffmpeg command line (the same libav the product links) has one of these encoders.
    static func hasEncoder(_ names: String...) -> Bool {
        names.contains { name in
            (try? TestMedia.run("ffmpeg", ["-hide_banner", "-h", "encoder=\(name)"]).stdout.contains("Encoder \(name)")) == true
        }
    }

    @Test(.needsFFmpeg, .enabled(if: hasEncoder("libvpx-vp9"), "this FFmpeg has no VP9 encoder"))
    func compressedInVP9() throws { try compressedInAnotherCodec("vp9") }

    @Test(.needsFFmpeg, .enabled(if: hasEncoder("libsvtav1", "libaom-av1"), "this FFmpeg has no AV1 encoder"))
    func compressedInAV1() throws { try compressedInAnotherCodec("av1") }

    /// VP9 and AV1 web versions: the codec asked for, index first, every frame, close to the source
    /// scaled the same way, and each a rendition of its own beside the H.264 one.
    func compressedInAnotherCodec(_ codec: String) throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("variants-\(codec)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = try Library(.sqlite, in: folder)
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("src.mp4"), seconds: 2, width: 640, height: 360, audio: true,
                                            codec: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p"])
        let id = try library.ingest(binary, source)
        let made = try Self.json(library.run(binary, ["variants", "create", "\(id)", "--type", "compressed", "--height", "180",
                                                      "--codec", codec, "--preset", "veryfast", "--json"]).stdout)
        #expect(made["codec"] as? String == codec)
        // The codec is part of the parameters' key; its CRF is ten above x264's default when not given.
        let parameters = (made["parameters"] as? String)?.split(separator: ";").map(String.init) ?? []
        #expect(parameters.contains("codec=\(codec)") && parameters.contains("crf=33"), "\(parameters)")
        let file = library.store.appendingPathComponent(try #require(made["path"] as? String))
        let boxes = try Self.topLevelBoxes(file)
        #expect(boxes.firstIndex(of: "moov")! < boxes.firstIndex(of: "mdat")!, "\(boxes)")
        let facts = try Self.videoFacts(file)
        #expect(facts["codec_name"] as? String == codec)
        #expect(facts["width"] as? Int == 320 && facts["height"] as? Int == 180)
        #expect(facts["nb_read_frames"] as? String == (try Self.videoFacts(source))["nb_read_frames"] as? String)
        let quality = try Self.psnr(file, against: source, referenceFilter: "scale=320:180:flags=bicubic")
        #expect(quality >= 38, "PSNR \(quality) dB")
        let h264 = try Self.json(library.run(binary, ["variants", "create", "\(id)", "--type", "compressed", "--height", "180",
                                                      "--preset", "veryfast", "--json"]).stdout)
        #expect(h264["created"] as? Bool == true && h264["codec"] as? String == "h264")
        #expect(try library.variantRows(of: id).count == 2)
    }

    /// `batch --stages variants`: every video gets its web version (one asset and one variant row each,
    /// not a variant of the variant), a still is not applicable, and a second batch makes nothing new.
    @Test(.needsFFmpeg)
    func theVariantsStageMakesTheWebVersionOfEveryVideoOnce() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("variants-stage")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = try Library(.sqlite, in: folder)
        let inbox = folder.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        _ = try PipelineFixture.makeClip(inbox.appendingPathComponent("a.mp4"), seed: 1)
        _ = try PipelineFixture.makeClip(inbox.appendingPathComponent("b.mp4"), seed: 2)
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1", inbox.appendingPathComponent("c.png").path])
        func batch() throws -> [[String: Any]] {
            let out = try Self.json(library.run(binary, ["batch", inbox.path, "--stages", "variants", "--json"]).stdout)
            return try #require(out["items"] as? [[String: Any]])
        }
        let first = try batch()
        #expect(first.count == 3)
        func stageStatus(_ item: [String: Any]) -> String? {
            (item["stages"] as? [[String: Any]])?.first { $0["stage"] as? String == "variants" }?["status"] as? String
        }
        let videos = first.filter { ($0["path"] as? String)?.hasSuffix(".mp4") == true }
        #expect(videos.map(stageStatus) == ["succeeded", "succeeded"], "\(first)")
        #expect(stageStatus(first.first { ($0["path"] as? String)?.hasSuffix(".png") == true } ?? [:]) == "not_applicable")
        var variantAssets: Set<Int> = []
        for video in videos {
            let id = try #require(video["asset_id"] as? Int)
            let rows = try library.variantRows(of: id)
            #expect(rows.count == 1 && rows.first?.type == "compressed")
            let listed = try JSONSerialization.jsonObject(with: Data(library.run(binary, ["variants", "list", "\(id)", "--json"]).stdout.utf8))
            let variantAsset = try #require(((listed as? [[String: Any]])?.first)?["variant_asset_id"] as? Int)
            variantAssets.insert(variantAsset)
            // The web version itself got no variant.
            #expect(try library.variantRows(of: variantAsset).isEmpty)
        }
        #expect(variantAssets.count == 2)
        let before = library.storedFiles()
        let second = try batch()
        #expect(second.filter { ($0["path"] as? String)?.hasSuffix(".mp4") == true }.map(stageStatus) == ["skipped", "skipped"])
        #expect(library.storedFiles() == before)
    }

    // MARK: reframed

    /// Two shots at 30 fps, 640x360, 3 s each, on different textures; a 48x48 white square whose left edge is
    /// `60 + 40 t` in the first shot and `500 - 30 t` in the second (t from the shot's start).
    static func subjectFootage(in folder: URL) throws -> URL {
        let textures = ["128+50*sin(X/5)*sin(Y/7)", "110+60*sin(X/3+Y/9)"]
        let motions = ["60+40*t", "500-30*t"]
        var shots: [URL] = []
        for (index, texture) in textures.enumerated() {
            let picture = folder.appendingPathComponent("texture\(index).png")
            try TestMedia.ffmpeg(["-f", "lavfi", "-i", "color=c=gray:s=640x360:d=1", "-vf", "geq=lum='\(texture)':cb=128:cr=\(120 + index * 16)",
                                  "-frames:v", "1", picture.path])
            let shot = folder.appendingPathComponent("shot\(index).mp4")
            try TestMedia.ffmpeg(["-loop", "1", "-framerate", "30", "-t", "3", "-i", picture.path,
                                  "-f", "lavfi", "-i", "color=c=white:s=48x48:r=30:d=3",
                                  "-filter_complex", "[0:v][1:v]overlay=x='\(motions[index])':y=156:eval=frame,format=yuv420p",
                                  "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-r", "30", shot.path])
            shots.append(shot)
        }
        let out = folder.appendingPathComponent("subject.mp4")
        try TestMedia.ffmpeg(["-i", shots[0].path, "-i", shots[1].path, "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]",
                              "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", out.path])
        return out
    }

    static func subjectLeft(frame: Int) -> Double {
        frame < 90 ? 60 + 40 * Double(frame) / 30 : 500 - 30 * Double(frame - 90) / 30
    }

    @Test(.needsFFmpeg)
    func reframedWindowFollowsTheSubjectSmoothlyAndCutsAtTheShotBoundary() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("variants-reframed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = try Library(.sqlite, in: folder)
        let source = try Self.subjectFootage(in: folder)
        let id = try library.ingest(binary, source)
        let made = try Self.json(library.run(binary, ["variants", "create", "\(id)", "--type", "reframed", "--aspect", "9:16", "--json"]).stdout)
        #expect(made["width"] as? Int == 202 && made["height"] as? Int == 360)
        let file = library.store.appendingPathComponent(try #require(made["path"] as? String))
        let facts = try Self.videoFacts(file)
        #expect(facts["nb_read_frames"] as? String == "180" && facts["width"] as? Int == 202)
        let metadata = try #require(try library.variantRows(of: id).first?.metadata)
        let plan = try #require(metadata["reframe"] as? [String: Any])
        let left = try #require(plan["left"] as? [Int]), top = try #require(plan["top"] as? [Int])
        let bound = try #require(plan["max_step_px"] as? Int)
        let starts = try #require(plan["shot_starts"] as? [Int])
        #expect(left.count == 180 && Set(top) == [0])
        // The subject is inside the window in at least 97 % of frames.
        let inside = (0..<180).filter { frame in
            let subject = Self.subjectLeft(frame: frame)
            return Double(left[frame]) <= subject && subject + 48 <= Double(left[frame] + 202)
        }.count
        #expect(Double(inside) / 180 >= 0.97, "subject inside in \(inside) of 180 frames; windows \(left)")
        // One boundary, at the cut (frame 90), where the window moves at once; elsewhere it moves at most `bound` a frame.
        #expect(starts.count == 2 && abs((starts.last ?? 0) - 90) <= 1, "shots \(starts)")
        let boundary = starts.last ?? 90
        #expect(left[boundary] - left[boundary - 1] > bound, "no jump at the cut: \(left[boundary - 1]) → \(left[boundary])")
        for frame in 1..<180 where frame != boundary {
            #expect(abs(left[frame] - left[frame - 1]) <= bound, "frame \(frame): moved \(left[frame] - left[frame - 1]) > \(bound)")
        }
        #expect(bound == 13)
        // --fit pad: the whole picture on a 9:16 canvas.
        let padded = try Self.json(library.run(binary, ["variants", "create", "\(id)", "--type", "reframed", "--aspect", "9:16",
                                                        "--fit", "pad", "--json"]).stdout)
        #expect(padded["width"] as? Int == 360 && padded["height"] as? Int == 640)
        #expect(try library.variantRows(of: id).count == 2)
    }

    // MARK: bad input

    @Test(.needsFFmpeg)
    func badInputIsOneLineExitOneAndLeavesNothing() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("variants-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = try Library(.sqlite, in: folder)
        let clip = try PipelineFixture.makeClip(folder.appendingPathComponent("clip.mp4"), seed: 3)
        let still = folder.appendingPathComponent("still.png")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1", still.path])
        let video = try library.ingest(binary, clip)
        let image = try library.ingest(binary, still)
        let before = library.storedFiles()
        let cases: [([String], String)] = [
            (["variants", "create", "999", "--type", "compressed"], "no asset"),
            (["variants", "create", "\(image)", "--type", "compressed"], "still image"),
            (["variants", "create", "\(video)", "--type", "reframed", "--aspect", "3:7"], "--aspect"),
            (["variants", "create", "\(video)", "--type", "reframed"], "--aspect"),
            (["variants", "create", "\(video)", "--type", "compressed", "--height", "0"], "--height"),
            (["variants", "create", "\(video)", "--type", "upscaled", "--height", "100"], "not larger"),
            (["variants", "create", "\(video)", "--type", "sharpened"], "--type"),
            (["variants", "create", "\(video)", "--type", "compressed", "--codec", "hevc"], "--codec"),
            (["variants", "create", "\(video)", "--type", "compressed", "--crf", "60"], "between 0 and 51 for h264"),
            (["variants", "create", "\(video)", "--type", "compressed", "--sharpen", "1"], "--sharpen"),
            (["variants", "create", "\(video)", "--type", "upscaled", "--sharpen", "3"], "--sharpen must be from 0 to 2"),
        ]
        for (command, reason) in cases {
            let result = try library.run(binary, command, allowFailure: true)
            let lines = result.stderr.split(separator: "\n")
            #expect(result.status == 1, "\(command): exit \(result.status)")
            #expect(lines.count == 1 && result.stderr.hasPrefix("error: ") && result.stderr.contains(reason), "\(command): \(result.stderr)")
        }
        #expect(library.storedFiles() == before && library.partialFiles().isEmpty)
        #expect(try library.variantRows(of: video).isEmpty)
    }
}

import Foundation
@testable import MediaLibrary
import MediaTestSupport
import Testing

/// `match` through the band index finds exactly what a scan of every hash finds.
@Suite struct ContinuationIndexTests {
    @Test func neighboursAreEveryValueWithinTheRadius() {
        let value = 0b1010_0000_1111_0001
        for radius in 0...2 {
            let listed = Set(HashBands.neighbours(of: value, radius: radius))
            let expected = Set((0..<65536).filter { ($0 ^ value).nonzeroBitCount <= radius })
            #expect(listed == expected)
        }
        #expect(HashBands.probes(for: 0, maxDistance: 11) != nil)
        #expect(HashBands.probes(for: 0, maxDistance: 12) == nil)
    }

    /// 600 random opening hashes plus hashes planted at distances 0 to 14 from the
    /// query: for every distance limit, the index answer equals brute force.
    @Test(arguments: StoreEngine.allCases) func indexAnswersEqualAScan(engine: StoreEngine) throws {
        let (store, folder) = try engine.makeStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SeededGenerator(seed: 42)
        let target = UInt64.random(in: 0...UInt64.max, using: &generator)
        let query = try LibraryStoreTests.addAsset(store, 1).assetID
        try LibraryStoreTests.writeSegments(store, assetID: query, [
            LibraryStoreTests.segment(query, 0, start: "0", end: String(target, radix: 16))])
        var openings: [Int64: UInt64] = [:]
        for seed in 2...602 {
            let hash: UInt64
            if seed <= 32 {
                // Planted: flip (seed % 15) distinct random bits of the target.
                var flipped = target
                var bits = Set<Int>()
                while bits.count < seed % 15 { bits.insert(Int.random(in: 0..<64, using: &generator)) }
                for bit in bits { flipped ^= 1 << UInt64(bit) }
                hash = flipped
            } else {
                hash = UInt64.random(in: 0...UInt64.max, using: &generator)
            }
            let id = try LibraryStoreTests.addAsset(store, seed).assetID
            openings[id] = hash
            try LibraryStoreTests.writeSegments(store, assetID: id, [
                LibraryStoreTests.segment(id, 0, start: String(hash, radix: 16), end: "0"),
                LibraryStoreTests.segment(id, 1, start: "ffffffffffffffff", end: "0")])
        }
        for maxDistance in [0, 3, 7, 10, 11, 12, 20] {
            let expected = openings.map { ContinuationCandidate(assetID: $0.key, distance: ($0.value ^ target).nonzeroBitCount) }
                .filter { $0.distance <= maxDistance }
                .sorted { ($0.distance, $0.assetID) < ($1.distance, $1.assetID) }
            let found = try store.continuations(of: query, maxDistance: maxDistance)
            #expect(found == expected, "max distance \(maxDistance)")
        }
        #expect(try store.continuations(of: query, maxDistance: 14).count >= 30)
    }
}

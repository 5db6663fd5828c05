// Measures caption parsing throughput (bytes → [Cue], plain text included) on generated input, on one thread.
//
//   BenchCaptions [megabytes] [repetitions]      (defaults: 32 MB, 5 repetitions; the best run is reported)
import Captions
import Foundation
import Posts

let megabytes = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 32 : 32
let repetitions = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 5 : 5
let target = megabytes << 20

/// Deterministic filler text: short words, some accented and CJK, like real captions.
let words = ["the", "river", "walk", "today", "we", "bake", "bread", "first", "mix", "flour", "and", "water",
             "café", "niño", "über", "河流", "面包", "weather", "sunny", "north", "rain", "south", "tomorrow", "see", "you"]
/// xorshift64, seeded: the same input every run.
final class Random {
    var seed: UInt64 = 0x2545_F491_4F6C_DD1D
    func next() -> Int {
        seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
        return Int(seed % 1_000_000)
    }
}
nonisolated(unsafe) let random = Random()
func nextRandom() -> Int { random.next() }
func line() -> String { (0..<(5 + nextRandom() % 6)).map { _ in words[nextRandom() % words.count] }.joined(separator: " ") }

func timestamp(_ ms: Int, comma: Bool) -> String {
    let h = ms / 3_600_000, m = ms / 60_000 % 60, s = ms / 1000 % 60, f = ms % 1000
    return String(format: "%02d:%02d:%02d%@%03d", h, m, s, comma ? "," : ".", f)
}

func makeWebVTT() -> [UInt8] {
    var out = "WEBVTT\nKind: captions\nLanguage: en\n\n"
    var ms = 0
    var n = 0
    while out.utf8.count < target {
        n += 1
        let start = ms, end = ms + 2000 + nextRandom() % 2000
        ms = end
        out += "\(n)\n\(timestamp(start, comma: false)) --> \(timestamp(end, comma: false))"
        switch n % 5 {
        case 0: out += " align:start position:10%\n<v Speaker>\(line())</v>\n<i>\(line())</i> &amp; more\n\n"
        case 1: out += " line:90%\n\(line())<00:00:01.000><c> \(words[n % words.count])</c>\n\n"
        default: out += "\n\(line())\n\(line())\n\n"
        }
    }
    return Array(out.utf8)
}

func makeSRT() -> [UInt8] {
    var out = "\u{FEFF}"
    var ms = 0
    var n = 0
    while out.utf8.count < target {
        n += 1
        let start = ms, end = ms + 2000 + nextRandom() % 2000
        ms = end
        let body = n % 5 == 0 ? "<i>\(line())</i>\r\n\(line())" : "\(line())\r\n\(line())"
        out += "\(n)\r\n\(timestamp(start, comma: true)) --> \(timestamp(end, comma: true))\r\n\(body)\r\n\r\n"
    }
    return Array(out.utf8)
}

/// CPU time of this thread: what one core spends, even when the machine is shared and the thread is descheduled.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func measure(_ name: String, _ bytes: [UInt8], _ parse: ([UInt8]) throws -> [Cue]) rethrows {
    var bestWall = Double.infinity
    var bestCPU = Double.infinity
    var count = 0
    for _ in 0..<repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = threadCPUSeconds()
        count = try parse(bytes).count
        bestCPU = min(bestCPU, threadCPUSeconds() - cpuStart)
        bestWall = min(bestWall, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    let mb = Double(bytes.count) / 1_048_576
    print(String(format: "%-8@ %6.1f MB  %8d cues  best of %d: wall %6.3f s = %6.1f MB/s   thread CPU %6.3f s = %6.1f MB/s",
                 name as NSString, mb, count, repetitions, bestWall, mb / bestWall, bestCPU, mb / bestCPU))
}

let vtt = makeWebVTT()
let srt = makeSRT()
try measure("WebVTT", vtt) { try WebVTTDocument(bytes: $0, url: "bench.vtt").captionCues() }
try measure("SRT", srt) { try SRTDocument(bytes: $0, url: "bench.srt").captionCues() }

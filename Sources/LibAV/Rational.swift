import CFFmpeg

/// An exact rational number: libav's `AVRational`, used for time bases, frame
/// rates and aspect ratios. Times stay exact inside the program; seconds as a
/// `Double` appear only at the edges (JSON, command line).
public struct Rational: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var numerator: Int32
    public var denominator: Int32

    public init(_ numerator: Int32, _ denominator: Int32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    init(_ value: AVRational) { self.init(value.num, value.den) }

    var avRational: AVRational { AVRational(num: numerator, den: denominator) }

    /// `0/1`, libav's "unknown" for frame rates and aspect ratios.
    public static let zero = Rational(0, 1)
    /// `AV_TIME_BASE_Q`, the microsecond time base of format-level times.
    public static let microseconds = Rational(pixsim_time_base_q())

    /// True when the value is unset (libav uses 0/x or x/0 for "unknown").
    public var isValid: Bool { numerator != 0 && denominator != 0 }

    /// The value as a `Double` (`av_q2d`); for the edges only.
    public var doubleValue: Double { denominator == 0 ? 0 : Double(numerator) / Double(denominator) }

    /// The reciprocal (`av_inv_q`).
    public var inverted: Rational { Rational(denominator, numerator) }

    /// The reduced form (`av_reduce`).
    public var reduced: Rational {
        var num: Int32 = 0, den: Int32 = 0
        av_reduce(&num, &den, Int64(numerator), Int64(denominator), Int64(Int32.max))
        return Rational(num, den)
    }

    /// Closest rational to `value` with a bounded denominator (`av_d2q`).
    public init(approximating value: Double, maxDenominator: Int32 = 1_000_000) {
        self.init(av_d2q(value, maxDenominator))
    }

    public static func < (lhs: Rational, rhs: Rational) -> Bool { av_cmp_q(lhs.avRational, rhs.avRational) < 0 }
    public static func == (lhs: Rational, rhs: Rational) -> Bool {
        // 1/25 and 2/50 are the same rate.
        if lhs.denominator == 0 || rhs.denominator == 0 { return lhs.numerator == rhs.numerator && lhs.denominator == rhs.denominator }
        return Int64(lhs.numerator) * Int64(rhs.denominator) == Int64(rhs.numerator) * Int64(lhs.denominator)
    }
    public func hash(into hasher: inout Hasher) {
        let r = reduced
        hasher.combine(r.numerator)
        hasher.combine(r.denominator)
    }

    public var description: String { "\(numerator)/\(denominator)" }
}

/// Rescales a timestamp from one time base to another with libav's rounding
/// (`av_rescale_q_rnd`, nearest, passing `AV_NOPTS_VALUE` through unchanged).
public func rescale(_ value: Int64, from source: Rational, to destination: Rational) -> Int64 {
    if value == Timestamp.none { return value }
    let rounding = AVRounding(rawValue: AV_ROUND_NEAR_INF.rawValue | AV_ROUND_PASS_MINMAX.rawValue)
    return av_rescale_q_rnd(value, source.avRational, destination.avRational, rounding)
}

/// A timestamp in a stream's time base: an exact point in time.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// `AV_NOPTS_VALUE`: libav's "no timestamp".
    public static let none: Int64 = pixsim_nopts_value()

    public var value: Int64
    public var timeBase: Rational

    public init(_ value: Int64, _ timeBase: Rational) {
        self.value = value
        self.timeBase = timeBase
    }

    /// The time nearest to `seconds` in `timeBase`.
    /// Saturates at `Int64`'s range (and NaN gives 0) instead of trapping:
    /// callers range-check user times first, this keeps a miss from crashing.
    public init(seconds: Double, timeBase: Rational) {
        let ticks = (seconds * Double(timeBase.denominator) / Double(timeBase.numerator)).rounded()
        let value: Int64 = ticks.isNaN ? 0 : ticks >= 9.2e18 ? .max : ticks <= -9.2e18 ? .min : Int64(ticks)
        self.init(value, timeBase)
    }

    public var seconds: Double { Double(value) * timeBase.doubleValue }

    /// The same instant in another time base (rounded to nearest).
    public func rescaled(to other: Rational) -> Timestamp {
        Timestamp(rescale(value, from: timeBase, to: other), other)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        av_compare_ts(lhs.value, lhs.timeBase.avRational, rhs.value, rhs.timeBase.avRational) < 0
    }
    public static func == (lhs: Timestamp, rhs: Timestamp) -> Bool {
        av_compare_ts(lhs.value, lhs.timeBase.avRational, rhs.value, rhs.timeBase.avRational) == 0
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(rescaled(to: Rational(1, 1_000_000_000)).value) }

    public var description: String { "\(value)*\(timeBase)" }
}

// pol site: exact arithmetic for the calculators in calculators.js — no floating point anywhere.
// A number is a fraction of two BigInts [numerator, denominator > 0]; amounts become decimals only when a
// rule rounds them (to the fen, with the rounding mode the policy names), exactly as the Python calculators.
(function (root) {
  "use strict";

  function gcd(a, b) {
    a = a < 0n ? -a : a;
    b = b < 0n ? -b : b;
    while (b) { var t = a % b; a = b; b = t; }
    return a;
  }

  function make(n, d) {
    if (d === 0n) throw new Error("division by zero");
    if (d < 0n) { n = -n; d = -d; }
    var g = gcd(n, d) || 1n;
    return [n / g, d / g];
  }

  // "123.45", "-0.05", "7" → the exact fraction
  function D(text) {
    var match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text));
    if (!match) throw new Error("not a decimal: " + text);
    var digits = match[2] + (match[3] || "");
    var n = BigInt(digits);
    return make(match[1] ? -n : n, 10n ** BigInt((match[3] || "").length));
  }

  function add(a, b) { return make(a[0] * b[1] + b[0] * a[1], a[1] * b[1]); }
  function sub(a, b) { return make(a[0] * b[1] - b[0] * a[1], a[1] * b[1]); }
  function mul(a, b) { return make(a[0] * b[0], a[1] * b[1]); }
  function div(a, b) { return make(a[0] * b[1], a[1] * b[0]); }
  function cmp(a, b) { var l = a[0] * b[1], r = b[0] * a[1]; return l < r ? -1 : l > r ? 1 : 0; }
  function min(a, b) { return cmp(a, b) <= 0 ? a : b; }
  function max(a, b) { return cmp(a, b) >= 0 ? a : b; }
  function floor(a) {  // ⌊a⌋ as a fraction
    var q = a[0] / a[1];
    if (a[0] < 0n && q * a[1] !== a[0]) q -= 1n;
    return [q, 1n];
  }
  var ZERO = [0n, 1n];

  // The integer nearest n/d in the direction ``mode`` names (Python's decimal rounding constants).
  function roundFraction(n, d, mode) {
    var negative = n < 0n;
    var m = negative ? -n : n;
    var q = m / d, r = m % d;  // toward zero, and what is left
    var away = false;
    if (r !== 0n) {
      var twice = 2n * r;
      switch (mode) {
        case "ROUND_DOWN": away = false; break;
        case "ROUND_UP": away = true; break;
        case "ROUND_FLOOR": away = negative; break;
        case "ROUND_CEILING": away = !negative; break;
        case "ROUND_HALF_UP": away = twice >= d; break;
        case "ROUND_HALF_DOWN": away = twice > d; break;
        case "ROUND_HALF_EVEN": away = twice > d || (twice === d && q % 2n === 1n); break;
        case "ROUND_05UP": away = q % 10n === 0n || q % 10n === 5n; break;
        default: throw new Error("unknown rounding mode " + mode);
      }
    }
    if (away) q += 1n;
    return negative ? -q : q;
  }

  // a rounded to a multiple of ``quantum`` (a fraction such as [1n, 100n] for the fen)
  function quantize(a, quantum, mode) {
    var k = div(a, quantum);
    return mul([roundFraction(k[0], k[1], mode), 1n], quantum);
  }

  // An amount to the fen as text: "2920000.00"
  function fen(a) {
    var cents = mul(a, [100n, 1n]);
    if (cents[1] !== 1n) cents = [roundFraction(cents[0], cents[1], "ROUND_HALF_EVEN"), 1n];
    var negative = cents[0] < 0n;
    var digits = (negative ? -cents[0] : cents[0]).toString().padStart(3, "0");
    return (negative ? "-" : "") + digits.slice(0, -2) + "." + digits.slice(-2);
  }

  // A rate as a percentage, exactly where it terminates within 10 places: "10%", "2.92%"
  function percent(a) {
    var scaled = mul(a, [100n * 10n ** 10n, 1n]);
    var whole = roundFraction(scaled[0], scaled[1], "ROUND_HALF_EVEN");
    var negative = whole < 0n;
    var digits = (negative ? -whole : whole).toString().padStart(11, "0");
    var text = (digits.slice(0, -10) + "." + digits.slice(-10)).replace(/\.?0+$/, "");
    return (negative ? "-" : "") + text + "%";
  }

  // "2,920,000.00元" as the pages show amounts
  function yuan(a) {
    var text = fen(a), negative = text[0] === "-";
    if (negative) text = text.slice(1);
    var parts = text.split(".");
    return (negative ? "-" : "") + parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + parts[1] + "元";
  }

  // ── values as people type them into the form ──────────────────────────────
  var UNITS = { "亿元": 10n ** 8n, "万元": 10n ** 4n, "元": 1n };

  function readMoney(text) {
    var s = String(text).trim().replace(/[,，\s]/g, "");
    var unit = 1n;
    for (var name in UNITS) {
      if (s.endsWith(name)) { unit = UNITS[name]; s = s.slice(0, -name.length); break; }
    }
    if (!/^\d+(\.\d+)?$/.test(s)) throw new Error("金额应写作数字，可带“元”“万元”“亿元”：" + text);
    var value = mul(D(s), [unit, 1n]);
    if (cmp(quantize(value, [1n, 100n], "ROUND_DOWN"), value) !== 0) throw new Error("金额应精确到分：" + text);
    return value;
  }

  function readRate(text) {
    var s = String(text).trim().replace(/\s/g, "");
    var percent = s.endsWith("%") || s.endsWith("％");
    if (percent) s = s.slice(0, -1);
    if (!/^\d+(\.\d+)?$/.test(s)) throw new Error("比例应写作百分数（如 3.65%）或小数：" + text);
    return percent ? div(D(s), [100n, 1n]) : D(s);
  }

  // 比例（可为负）: a growth rate, -5% or −5% or -0.05
  function readSignedRate(text) {
    var s = String(text).trim().replace(/\s/g, "").replace(/^[−－]/, "-");
    var negative = s.charAt(0) === "-";
    var value = readRate(negative ? s.slice(1) : s);
    return negative ? make(-value[0], value[1]) : value;
  }

  function readCount(text) {
    var s = String(text).trim();
    if (!/^\d+$/.test(s)) throw new Error("数量应为不小于零的整数：" + text);
    return [BigInt(s), 1n];
  }

  // A quantity in its declared unit (亩, 平方米, 千瓦时): a non-negative decimal.
  function readQuantity(text) {
    var s = String(text).trim().replace(/[,，]/g, "");
    if (!/^\d+(\.\d+)?$/.test(s)) throw new Error("数量应写作不小于零的数，以所声明的单位计：" + text);
    return D(s);
  }

  function readFlag(text) {
    if (text === true || text === false) return text;
    var s = String(text).trim();
    if (s === "是" || s === "true") return true;
    if (s === "否" || s === "false") return false;
    throw new Error("应为“是”或“否”：" + text);
  }

  function readDate(text) {
    var s = String(text).trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new Error("日期应写作 2023-06-30：" + text);
    return s;  // ISO dates compare as text
  }

  function readChoice(text, choices) {
    var s = String(text).trim();
    if (choices.indexOf(s) < 0) throw new Error("应为以下之一：" + choices.join("、") + "：" + text);
    return s;
  }

  var READERS = { "金额": readMoney, "比例": readRate, "比例（可为负）": readSignedRate, "数量": readCount, "带单位的数量": readQuantity,
                  "是否": readFlag, "日期": readDate, "数字": readMoney };

  // The inputs of a calculator, read from text: {name: text} → {name: value}; throws with the input named.
  function read(calculator, texts) {
    var values = {};
    calculator.inputs.forEach(function (spec) {
      if (!(spec.name in texts)) throw new Error("缺少输入：" + spec.name);
      try {
        values[spec.name] = spec.type === "选项" ? readChoice(texts[spec.name], spec.choices)
          : READERS[spec.type](texts[spec.name]);
      } catch (error) {
        throw new Error(spec.name + "：" + error.message);
      }
    });
    return values;
  }

  // What a run records, as the Python trace does: every step with its label, and why a rule does not apply.
  function Trace() { this.steps = []; this.tranches = []; }
  Trace.prototype.step = function (kind, label, value) { this.steps.push([kind, label, value]); return value; };
  Trace.prototype.check = function (label, held) { this.steps.push(["条件", label, held]); return held; };
  Trace.prototype.excluded = function (label, held) { this.steps.push(["排除", label, held]); return held; };
  Trace.prototype.cap = function (amount, limit, label) {
    var held = cmp(amount, limit) > 0;
    this.steps.push(["封顶", label, limit, held]);
    return held ? limit : amount;
  };
  Trace.prototype.round = function (amount, quantum, mode, label) {
    var value = quantize(quantize(amount, quantum, mode), [1n, 100n], "ROUND_HALF_EVEN");
    this.steps.push(["舍入", label, value]);
    return value;
  };
  // The total paid in parts [due, year, amount, label], as pol_runtime.tranches: each part but the last rounded
  // to the fen with ``mode``, at least zero and at most what is left; the last part is what is left.
  Trace.prototype.schedule = function (total, parts, mode) {
    var rest = total, self = this;
    parts.forEach(function (part, index) {
      var value = rest;
      if (index < parts.length - 1) value = min(max(quantize(part[2], [1n, 100n], mode), ZERO), rest);
      rest = sub(rest, value);
      self.tranches.push({ due: part[0], year: part[1], amount: value });
      self.steps.push(["分期", part[3], value]);
    });
  };
  Trace.prototype.notApplicable = function (reason) {
    return { applicable: false, amount: ZERO, floor: null, reason: reason, discretionary: false, steps: this.steps };
  };
  // With least (a range: 给予3万元-5万元), the least that may be granted (floor); amount is then the most.
  Trace.prototype.done = function (amount, discretionary, least) {
    if (least !== undefined) this.steps.push(["最低可得", "区间的下限", least]);
    return { applicable: true, amount: amount, floor: least === undefined ? null : least, reason: "",
             discretionary: !!discretionary, steps: this.steps, tranches: this.tranches };
  };

  root.PolDecimal = {
    D: D, add: add, sub: sub, mul: mul, div: div, cmp: cmp, min: min, max: max, floor: floor, ZERO: ZERO,
    quantize: quantize, fen: fen, yuan: yuan, percent: percent, read: read, Trace: Trace,
    lt: function (a, b) { return order(a, b) < 0; },
    le: function (a, b) { return order(a, b) <= 0; },
  };

  // Numbers compare as fractions, dates (ISO text) as text.
  function order(a, b) {
    if (typeof a === "string" || typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
    return cmp(a, b);
  }
}(typeof window !== "undefined" ? window : globalThis));

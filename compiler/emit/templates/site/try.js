// pol site: the “try a case” form of a rule page, computed here with the rule's calculator (calculators.js).
(function () {
  "use strict";
  var P = window.PolDecimal, C = window.POL_CALCULATORS || {};

  function show(form, calculator) {
    var out = form.querySelector(".try-result");
    var texts = {};
    form.querySelectorAll("[data-input]").forEach(function (field) { texts[field.getAttribute("data-input")] = field.value; });
    out.textContent = "";
    var result;
    try {
      result = calculator.run(P.read(calculator, texts));
    } catch (error) {
      out.appendChild(line("error", "输入有误：" + error.message));
      return;
    }
    if (!result.applicable) {
      out.appendChild(line("amount", "不适用"));
      out.appendChild(line("reason", result.reason));
    } else {
      out.appendChild(line("amount", result.floor !== null
        ? "可得区间 " + P.yuan(result.floor) + "至" + P.yuan(result.amount) + "（具体金额由主管部门在此区间内核定）"
        : (result.discretionary ? "最高可得 " : "") + P.yuan(result.amount)));
    }
    var steps = document.createElement("ol");
    steps.className = "try-steps";
    result.steps.forEach(function (step) {
      var value = step[2];
      var shown = value === true ? "成立" : value === false ? "不成立" : P.yuan(value);
      if (step[0] === "封顶") shown = P.yuan(value) + (step[3] ? "（封顶）" : "（未达封顶）");
      if (step[0] === "比例") shown = P.percent(value);
      if (step[0] === "名额") shown = P.fen(value).replace(/\.00$/, "");
      var item = document.createElement("li");
      item.textContent = step[0] + "：" + step[1] + " → " + shown;
      steps.appendChild(item);
    });
    out.appendChild(steps);
  }

  function line(kind, text) {
    var p = document.createElement("p");
    p.className = "try-" + kind;
    p.textContent = text;
    return p;
  }

  document.querySelectorAll("form.try").forEach(function (form) {
    var calculator = C[form.getAttribute("data-calculator")];
    if (!calculator || typeof BigInt === "undefined") {
      form.querySelector(".try-result").textContent = "此浏览器无法试算（需要支持 BigInt）。";
      return;
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); show(form, calculator); });
    show(form, calculator);
  });
}());

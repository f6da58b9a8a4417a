// A small Python code editor: a textarea over a highlighted copy of its text. No library,
// no network. Tab and Shift+Tab indent and dedent by four spaces (Escape, then Tab, moves
// the focus on), Enter keeps the indentation (and adds a level after a colon), Backspace in
// the indentation removes a level. The text goes back to Python as the "value" state when
// the editor loses the focus and on Ctrl/Cmd+Enter, which also sends the "submit" trigger.
// Python replaces the text by sending a new "rev" with the "value".

const INDENT = "    ";
const KEYWORDS = new Set(("False None True and as assert async await break class continue def " +
  "del elif else except finally for from global if import in is lambda nonlocal not or pass " +
  "raise return try while with yield match case").split(" "));
const BUILTINS = new Set(("abs all any bool bytes callable chr dict dir divmod enumerate " +
  "filter float format frozenset getattr hasattr hash int isinstance issubclass iter len " +
  "list map max min next object open ord pow print range repr reversed round set setattr " +
  "slice sorted str sum super tuple type vars zip self cls NotImplementedError ValueError " +
  "TypeError KeyError IndexError RuntimeError Exception").split(" "));
// one token per match: strings (triple first), comments, decorators, numbers, names, the rest
const TOKEN = new RegExp([
  String.raw`(?<str3>(?:[rRbBuUfF]{1,2})?(?:"""[\s\S]*?(?:"""|$(?![\s\S]))|'''[\s\S]*?(?:'''|$(?![\s\S]))))`,
  String.raw`(?<str>(?:[rRbBuUfF]{1,2})?(?:"(?:\\.|[^"\\\n])*(?:"|$)|'(?:\\.|[^'\\\n])*(?:'|$)))`,
  String.raw`(?<comment>#[^\n]*)`,
  String.raw`(?<deco>@[A-Za-z_][\w.]*)`,
  String.raw`(?<num>\b(?:0[xX][\da-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?j?|\.\d[\d_]*(?:[eE][+-]?\d+)?j?))`,
  String.raw`(?<name>[A-Za-z_]\w*)`,
  String.raw`(?<other>[^\sA-Za-z_\d"'#@.]+|\.|\s+|[\s\S])`,
].join("|"), "gm");

function escape(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// The highlighted text as one <div class="ce-line"> per line (numbered by CSS).
export function highlight(text) {
  const lines = [];
  let line = "";
  let after = "";  // the keyword before the current name ("def", "class")
  const push = (cls, part) => {
    const pieces = part.split("\n");
    pieces.forEach((piece, i) => {
      if (i > 0) {
        lines.push(line);
        line = "";
      }
      if (piece) line += cls ? `<span class="ce-${cls}">${escape(piece)}</span>` : escape(piece);
    });
  };
  for (const m of text.matchAll(TOKEN)) {
    const g = m.groups;
    if (g.str3 !== undefined || g.str !== undefined) push("str", m[0]);
    else if (g.comment !== undefined) push("com", m[0]);
    else if (g.deco !== undefined) push("deco", m[0]);
    else if (g.num !== undefined) push("num", m[0]);
    else if (g.name !== undefined) {
      const w = m[0];
      if (after === "def") push("fn", w);
      else if (after === "class") push("cls", w);
      else if (KEYWORDS.has(w)) push("kw", w);
      else if (BUILTINS.has(w)) push("bi", w);
      else push("", w);
      after = w === "def" || w === "class" ? w : "";
      continue;
    } else push("", m[0]);
    if (!/^[ \t]+$/.test(m[0])) after = "";
  }
  lines.push(line);
  return lines.map((l) => `<div class="ce-line">${l || " "}</div>`).join("");
}

function lineStart(text, pos) {
  return text.lastIndexOf("\n", pos - 1) + 1;
}

// Replace [start, end) with `insert`, through the browser's editing (so Undo works).
function replace(ta, start, end, insert, caretStart, caretEnd) {
  ta.focus();
  ta.setSelectionRange(start, end);
  let done = false;
  try {
    done = document.execCommand("insertText", false, insert);
  } catch (e) {
    done = false;
  }
  if (!done) ta.setRangeText(insert, start, end, "end");
  if (caretStart !== undefined) ta.setSelectionRange(caretStart, caretEnd ?? caretStart);
  ta.dispatchEvent(new Event("input", { bubbles: true }));
}

function indentLines(ta, dedent) {
  const text = ta.value;
  const s = ta.selectionStart, e = ta.selectionEnd;
  const first = lineStart(text, s);
  const lastEnd = e > s && text[e - 1] === "\n" ? e - 1 : e;
  let stop = text.indexOf("\n", lastEnd);
  if (stop < 0) stop = text.length;
  const block = text.slice(first, stop).split("\n");
  let shiftFirst = 0, shiftAll = 0;
  const out = block.map((l, i) => {
    if (!dedent) {
      shiftAll += INDENT.length;
      if (i === 0) shiftFirst = INDENT.length;
      return INDENT + l;
    }
    const n = Math.min(INDENT.length, l.length - l.trimStart().length);
    shiftAll -= n;
    if (i === 0) shiftFirst = -n;
    return l.slice(n);
  }).join("\n");
  replace(ta, first, stop, out, Math.max(first, s + shiftFirst), e + shiftAll);
}

function onKey(st, ev) {
  const ta = st.ta;
  if (ev.key === "Escape") {
    st.tabMoves = true;  // the next Tab moves the focus instead of indenting
    return;
  }
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    st.commit();
    st.submit();
    return;
  }
  const s = ta.selectionStart, e = ta.selectionEnd, text = ta.value;
  if (ev.key === "Tab" && !ev.ctrlKey && !ev.altKey && !ev.metaKey) {
    if (st.tabMoves) {
      st.tabMoves = false;
      return;
    }
    ev.preventDefault();
    if (ev.shiftKey || text.slice(s, e).includes("\n")) indentLines(ta, ev.shiftKey);
    else {
      const col = s - lineStart(text, s);
      const pad = INDENT.slice(col % INDENT.length);
      replace(ta, s, e, pad, s + pad.length);
    }
    return;
  }
  st.tabMoves = false;
  if (ev.key === "Enter" && !ev.shiftKey && !ev.altKey && !ev.isComposing) {
    ev.preventDefault();
    const start = lineStart(text, s);
    const indent = /^[ \t]*/.exec(text.slice(start, s))[0];
    const more = /:\s*(#.*)?$/.test(text.slice(start, s)) ? INDENT : "";
    const insert = "\n" + indent + more;
    replace(ta, s, e, insert, s + insert.length);
    return;
  }
  if (ev.key === "Backspace" && s === e && s > 0) {
    const start = lineStart(text, s);
    const before = text.slice(start, s);
    if (before.length > 0 && /^ +$/.test(before)) {
      ev.preventDefault();
      const n = before.length % INDENT.length || INDENT.length;
      replace(ta, s - n, s, "", s - n);
    }
  }
}

function build(parent) {
  const root = document.createElement("div");
  root.className = "ce";
  root.innerHTML = `<div class="ce-area"><pre class="ce-hl" aria-hidden="true"></pre>` +
    `<textarea class="ce-input" spellcheck="false" autocapitalize="off" autocomplete="off" ` +
    `autocorrect="off" wrap="soft"></textarea></div>` +
    `<div class="ce-bar"><span class="ce-pos"></span><span class="ce-hint"></span></div>`;
  parent.appendChild(root);
  const st = {
    root,
    ta: root.querySelector("textarea"),
    hl: root.querySelector(".ce-hl"),
    pos: root.querySelector(".ce-pos"),
    hint: root.querySelector(".ce-hint"),
    rev: null,
    sent: null,
    tabMoves: false,
    setState: () => {},
    setTrigger: () => {},
  };
  root.ce = st;
  const paint = () => {
    st.hl.innerHTML = highlight(st.ta.value);
  };
  const where = () => {
    const text = st.ta.value, s = st.ta.selectionStart;
    const line = text.slice(0, s).split("\n").length;
    const col = s - lineStart(text, s) + 1;
    st.pos.textContent = st.format(st.labels.position || "Ln {line}, Col {col}", { line, col });
  };
  st.paint = paint;
  st.format = (tpl, v) => tpl.replace(/\{(\w+)\}/g, (_, k) => (k in v ? v[k] : ""));
  st.commit = () => {
    if (st.ta.value !== st.sent) {
      st.sent = st.ta.value;
      st.setState("value", st.ta.value);
    }
  };
  st.submit = () => st.setTrigger("submit", Date.now());
  st.ta.addEventListener("input", () => {
    paint();
    where();
  });
  st.ta.addEventListener("keydown", (ev) => onKey(st, ev));
  st.ta.addEventListener("keyup", where);
  st.ta.addEventListener("click", where);
  st.ta.addEventListener("blur", () => st.commit());
  st.labels = {};
  return st;
}

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  const found = parentElement.querySelector(".ce");
  const st = found ? found.ce : build(parentElement);
  st.setState = setStateValue;
  st.setTrigger = setTriggerValue;
  if (!data) return;
  st.labels = data.labels || {};
  st.ta.setAttribute("aria-label", st.labels.aria || "Python code");
  st.hint.textContent = st.labels.hint || "";
  st.ta.readOnly = Boolean(data.readonly);
  st.root.style.setProperty("--ce-min-lines", String(data.min_lines || 12));
  if (st.rev !== data.rev) {  // Python sent new text (a start, a reset, a restore)
    st.rev = data.rev;
    st.ta.value = data.value || "";
    st.sent = st.ta.value;
    st.paint();
    st.pos.textContent = "";
  }
}

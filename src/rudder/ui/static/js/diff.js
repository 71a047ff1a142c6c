// Pure: classifies the lines of a unified diff (live → target, as the API returns it)
// for the diff view. Tested in tests/ui/.

/** [{kind: "add"|"del"|"hunk"|"meta"|"ctx", text, oldNo, newNo}] */
export function parseUnifiedDiff(text) {
  const out = [];
  if (!text) return out;
  let oldNo = 0;
  let newNo = 0;
  for (const line of String(text).replace(/\n$/, "").split("\n")) {
    if (line.startsWith("---") || line.startsWith("+++")) {
      out.push({ kind: "meta", text: line, oldNo: null, newNo: null });
    } else if (line.startsWith("@@")) {
      const match = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      if (match) {
        oldNo = Number(match[1]);
        newNo = Number(match[2]);
      }
      out.push({ kind: "hunk", text: line, oldNo: null, newNo: null });
    } else if (line.startsWith("+")) {
      out.push({ kind: "add", text: line, oldNo: null, newNo: newNo++ });
    } else if (line.startsWith("-")) {
      out.push({ kind: "del", text: line, oldNo: oldNo++, newNo: null });
    } else {
      out.push({ kind: "ctx", text: line, oldNo: oldNo++, newNo: newNo++ });
    }
  }
  return out;
}

/** {added, removed} line counts, ignoring the ---/+++ headers. */
export function diffStats(text) {
  let added = 0;
  let removed = 0;
  for (const line of parseUnifiedDiff(text)) {
    if (line.kind === "add") added++;
    else if (line.kind === "del") removed++;
  }
  return { added, removed };
}

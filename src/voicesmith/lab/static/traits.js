// What the engine understood of a prompt (a design's voice_traits), as a definition list:
// the traits it will steer by, the words it ignored, and its notes.

const AXES = ["pitch", "pace", "energy", "brightness", "clarity", "expressiveness", "loudness"];

function axisWord(value) {
  if (value <= -1.5) return "much lower";
  if (value <= -0.5) return "lower";
  if (value < 0.5) return null;
  if (value < 1.5) return "higher";
  return "much higher";
}

function labels(map) {
  return Object.entries(map || {}).map(([k, v]) => (v === 1 ? k : `${k} ${Number(v).toFixed(1)}`));
}

export function traitSummary(t) {
  const out = [];
  if (t.gender) out.push(t.gender);
  if (t.age) out.push(t.age_years ? `${t.age} (${t.age_years})` : t.age);
  for (const axis of AXES) {
    const word = typeof t[axis] === "number" ? axisWord(t[axis]) : null;
    if (word) out.push(`${axis} ${word}`);
  }
  if (t.accent) out.push(`accent ${t.accent}`);
  out.push(...labels(t.emotions), ...labels(t.timbre));
  if (t.persona) out.push(`persona ${t.persona}`);
  return out;
}

function pair(term, items) {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.textContent = items.length ? items.join(", ") : "none";
  return [dt, dd];
}

export function describeTraits(traits) {
  if (!traits) return [];
  const h = document.createElement("h3");
  h.textContent = "What the engine understood";
  const dl = document.createElement("dl");
  dl.append(
    ...pair("Traits", traitSummary(traits)),
    ...pair("Ignored words", traits.ignored || []),
    ...pair("Notes", [...(traits.notes || []), ...(traits.corrections || []),
                      ...(traits.conflicts || []).map((c) => `conflict: ${JSON.stringify(c)}`)]),
  );
  return [h, dl];
}

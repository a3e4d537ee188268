// The self-referral page (/remove/send/): makes the fingerprints of the photos and videos a young person
// chooses, on their own device, and puts only those in the form. The file input has no name and is outside
// the form, so the files themselves are never sent; the input is emptied as soon as the files are read.
//
// Each file gets its SHA-256 (Web Crypto), and each photo this browser can decode gets its PDQ and quality
// (pdq.mjs) from the pixels as the file stores them: a JPEG's EXIF orientation, which the browser applies
// when it decodes, is undone first, as Haven's server-side hashing and the PDQ reference do not apply it.
import { pdqOfPixels } from "./pdq.mjs";

const MAX_BYTES = 200 * 1024 * 1024; // Web Crypto hashes a whole file in memory

// The words the page shows, in the reader's language: the server puts them in the page as JSON
// (selfreferral.script_text), with the names in braces for this script to fill in.
const TEXT = JSON.parse(document.getElementById("self-referral-text").textContent);

function say(key, values = {}) {
  return TEXT[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}
const MAX_PIXELS = 100 * 1000 * 1000;

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The orientation (1 to 8) in a JPEG's EXIF, or 1 when it has none.
export function jpegOrientation(view) {
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return 1;
  let offset = 2;
  while (offset + 4 <= view.byteLength) {
    const marker = view.getUint16(offset);
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return 1; // not a marker, or the image data
    const length = view.getUint16(offset + 2);
    const exif = marker === 0xffe1 && offset + 10 <= view.byteLength && view.getUint32(offset + 4) === 0x45786966;
    if (exif) return tiffOrientation(view, offset + 10, Math.min(view.byteLength, offset + 2 + length));
    offset += 2 + length;
  }
  return 1;
}

function tiffOrientation(view, start, end) {
  if (start + 8 > end) return 1;
  const little = view.getUint16(start) === 0x4949;
  if (view.getUint16(start + 2, little) !== 42) return 1;
  const ifd = start + view.getUint32(start + 4, little);
  if (ifd + 2 > end) return 1;
  const count = view.getUint16(ifd, little);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + 12 * k;
    if (entry + 12 > end) return 1;
    if (view.getUint16(entry, little) === 0x0112) {
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

// For each EXIF orientation, the canvas transform that takes the displayed image (width w, height h)
// back to the pixels as stored: x = a x' + c y' + e, y = b x' + d y' + f.
const UNDO = {
  1: () => [1, 0, 0, 1, 0, 0],
  2: (w) => [-1, 0, 0, 1, w, 0],
  3: (w, h) => [-1, 0, 0, -1, w, h],
  4: (w, h) => [1, 0, 0, -1, 0, h],
  5: () => [0, 1, 1, 0, 0, 0],
  6: (w) => [0, -1, 1, 0, 0, w],
  7: (w, h) => [0, -1, -1, 0, h, w],
  8: (w, h) => [0, 1, -1, 0, h, 0],
};

async function pdqOfImage(file, orientation) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { premultiplyAlpha: "none", colorSpaceConversion: "none" });
  } catch {
    return null; // not an image this browser can decode
  }
  try {
    const [w, h] = [bitmap.width, bitmap.height];
    if (w * h > MAX_PIXELS || w === 0 || h === 0) return null;
    const [width, height] = orientation >= 5 ? [h, w] : [w, h];
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.setTransform(...UNDO[orientation](w, h));
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, width, height);
    return pdqOfPixels(data, width, height);
  } finally {
    bitmap.close();
  }
}

// The fingerprint of one file: { sha256, pdq, quality }, with pdq and quality null for a file that is not
// a photo this browser can read (a video, say). Throws an Error whose message is for the person.
export async function fingerprint(file) {
  if (file.size > MAX_BYTES) throw new Error(say("too_large"));
  const bytes = await file.arrayBuffer();
  const sha256 = hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
  let pdq = null;
  if (!file.type.startsWith("video/")) pdq = await pdqOfImage(file, jpegOrientation(new DataView(bytes)));
  return { sha256, pdq: pdq && pdq.hash, quality: pdq && pdq.quality };
}

function row(table, name, fingerprintOf, problem) {
  const tr = table.tBodies[0].insertRow();
  tr.className = "govuk-table__row";
  const file = tr.insertCell();
  file.className = "govuk-table__cell";
  file.textContent = name;
  const made = tr.insertCell();
  made.className = "govuk-table__cell";
  if (problem) {
    made.textContent = say("not_made", { reason: problem });
    return;
  }
  made.textContent = say(fingerprintOf.pdq ? "made" : "made_file_only");
  tr.dataset.sha256 = fingerprintOf.sha256;
  if (fingerprintOf.pdq) {
    tr.dataset.pdq = fingerprintOf.pdq;
    tr.dataset.quality = String(fingerprintOf.quality);
  }
}

function start(picker) {
  const needsScript = document.querySelector("[data-needs-script]");
  if (!window.crypto || !window.crypto.subtle) {
    needsScript.querySelector("p").textContent = say("insecure");
    return;
  }
  needsScript.hidden = true;
  picker.hidden = false;
  const max = Number(picker.dataset.max);
  const input = picker.querySelector("input[type=file]");
  const progress = picker.querySelector("[data-progress]");
  const table = picker.querySelector("[data-chosen]");
  const filesField = picker.querySelector("[data-files]");
  const tokenField = picker.querySelector("[data-token]");
  if (!tokenField.value) tokenField.value = hex(crypto.getRandomValues(new Uint8Array(16)));
  let chosen = [];
  try {
    chosen = JSON.parse(filesField.value || "[]"); // fingerprints the server sent back with an error
  } catch {
    chosen = [];
  }
  const seen = new Set(chosen.map((f) => f.sha256));

  input.addEventListener("change", async () => {
    const files = Array.from(input.files);
    input.value = "";
    if (chosen.length + files.length > max) {
      progress.textContent = say("too_many", { max });
      return;
    }
    table.hidden = false;
    for (const [index, file] of files.entries()) {
      progress.textContent = say("making", { done: index + 1, total: files.length });
      try {
        const made = await fingerprint(file);
        row(table, file.name, made, null);
        if (!seen.has(made.sha256)) {
          seen.add(made.sha256);
          chosen.push(made);
        }
      } catch (error) {
        row(table, file.name, null, error instanceof Error ? error.message : say("unreadable"));
      }
    }
    filesField.value = JSON.stringify(chosen);
    progress.textContent = say(chosen.length === 1 ? "ready_one" : "ready_many", { count: chosen.length });
    picker.dataset.ready = String(chosen.length);
  });
}

const picker = document.querySelector("[data-picker]");
if (picker) start(picker);

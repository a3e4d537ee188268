// PDQ, Meta's perceptual hash of photos, written for Haven so that a young person's own browser can hash
// their photos and send only the hashes (the self-referral page, selfreferral.mjs).
//
// The steps follow the reference (ThreatExchange's pdqhashing.cpp) and Haven's own Python port
// (haven/hashbank/pdqfast.py), including its single-precision arithmetic: every sum, product and quotient is
// rounded to a 32-bit float (Math.fround) where the reference works in C floats, so that the same pixels
// give the same hash bit for bit (tests/browser/test_self_referral.py checks this against pdqfast, and checks
// within 10 bits against the reference hashes of the PDQ test images decoded by chromium itself).
//
// 1. luminance 0.299 R + 0.587 G + 0.114 B, in double precision rounded once to float;
// 2. two passes of the Jarosz box filter, along rows and then columns, with windows sized to the image;
// 3. decimation to 64 x 64 by sampling the centre of each cell;
// 4. quality from the sum of the gradients of the 64 x 64 block (0 to 100; below 50 is too flat to match);
// 5. a 16 x 64 DCT on both sides, keeping the 16 x 16 lowest non-constant frequencies;
// 6. one bit a coefficient: set when it is above the median (the 128th smallest).

const f = Math.fround;

const DCT = (() => {
  const out = new Float32Array(16 * 64);
  const scale = Math.sqrt(2 / 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      out[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
    }
  }
  return out;
})();

function windowSize(oldSize, newSize) {
  return Math.floor((oldSize + 2 * newSize - 1) / (2 * newSize));
}

// One 1-D box filter over src[start + k * stride] into dst, as box1DFloat in the reference: the window
// grows from half its size at the start and shrinks again at the end.
function box(src, dst, start, length, stride, window) {
  const half = Math.floor((window + 2) / 2);
  let li = start;
  let ri = start;
  let oi = start;
  let total = 0;
  let current = 0;
  for (let k = 0; k < half - 1; k++) {
    total = f(total + src[ri]);
    current++;
    ri += stride;
  }
  for (let k = 0; k < window - half + 1; k++) {
    total = f(total + src[ri]);
    current++;
    dst[oi] = total / current;
    ri += stride;
    oi += stride;
  }
  for (let k = 0; k < length - window; k++) {
    total = f(total + src[ri]);
    total = f(total - src[li]);
    dst[oi] = total / current;
    li += stride;
    ri += stride;
    oi += stride;
  }
  for (let k = 0; k < half - 1; k++) {
    total = f(total - src[li]);
    current--;
    dst[oi] = total / current;
    li += stride;
    oi += stride;
  }
}

// The luminance of RGBA pixels (as a canvas's ImageData gives them) as 32-bit floats.
export function luminance(rgba, width, height) {
  const luma = new Float32Array(width * height);
  for (let p = 0, q = 0; p < luma.length; p++, q += 4) {
    luma[p] = rgba[q] * 0.299 + rgba[q + 1] * 0.587 + rgba[q + 2] * 0.114;
  }
  return luma;
}

// Two Jarosz passes over the luminance (which is overwritten), then the 64 x 64 samples.
function block64(luma, rows, cols) {
  const two = new Float32Array(rows * cols);
  const alongRows = windowSize(cols, 64);
  const alongCols = windowSize(rows, 64);
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 0; r < rows; r++) box(luma, two, r * cols, cols, 1, alongRows);
    for (let c = 0; c < cols; c++) box(two, luma, c, rows, cols, alongCols);
  }
  const out = new Float32Array(64 * 64);
  for (let i = 0; i < 64; i++) {
    const ini = Math.floor(((i + 0.5) * rows) / 64);
    for (let j = 0; j < 64; j++) {
      const inj = Math.floor(((j + 0.5) * cols) / 64);
      out[i * 64 + j] = luma[ini * cols + inj];
    }
  }
  return out;
}

function quality(block) {
  let gradient = 0;
  const step = (u, v) => Math.trunc(Math.abs(f(f(f(u - v) * 100) / 255)));
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) gradient += step(block[i * 64 + j], block[(i + 1) * 64 + j]);
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) gradient += step(block[i * 64 + j], block[i * 64 + j + 1]);
  }
  return Math.min(100, Math.floor(gradient / 90));
}

// D A D^T for the 16 lowest non-constant frequencies, summed in the reference's order.
function dct16(block) {
  const half = new Float32Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let total = 0;
      for (let k = 0; k < 64; k++) total = f(total + f(DCT[i * 64 + k] * block[k * 64 + j]));
      half[i * 64 + j] = total;
    }
  }
  const out = new Float32Array(16 * 16);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let total = 0;
      for (let k = 0; k < 64; k++) total = f(total + f(half[i * 64 + k] * DCT[j * 64 + k]));
      out[i * 16 + j] = total;
    }
  }
  return out;
}

// Bit i*16+j is set when coefficient [i][j] is above the median; the hex string puts bit 255 first.
function toHex(coefficients) {
  const median = Float32Array.from(coefficients).sort()[127];
  let hex = "";
  for (let nibble = 63; nibble >= 0; nibble--) {
    let value = 0;
    for (let bit = 3; bit >= 0; bit--) value = (value << 1) | (coefficients[nibble * 4 + bit] > median ? 1 : 0);
    hex += value.toString(16);
  }
  return hex;
}

// The PDQ hash (64 hexadecimal characters) and quality (0 to 100) of an image's luminance.
export function pdqOfLuminance(luma, width, height) {
  const block = block64(luma, height, width);
  return { hash: toHex(dct16(block)), quality: quality(block) };
}

// The PDQ hash and quality of RGBA pixels, such as a canvas's ImageData.
export function pdqOfPixels(rgba, width, height) {
  return pdqOfLuminance(luminance(rgba, width, height), width, height);
}

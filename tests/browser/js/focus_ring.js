// Focus every focusable element; return those whose ring is missing or under 3:1 against
// the colour behind the element (WCAG 2.4.11 / 1.4.11 contrast of the focus indicator).
(() => {
  const rgb = text => (text.match(/[\d.]+/g) || []).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const backdrop = el => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || colour[3] > 0) return colour;
    }
    return [255, 255, 255];
  };
  const low = [];
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    el.focus({focusVisible: true});
    if (document.activeElement !== el) continue;
    const style = getComputedStyle(el);
    if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) {
      low.push(`${el.tagName} ${el.id || el.name || el.textContent.trim().slice(0, 20)}: no ring`);
      continue;
    }
    const [a, b] = [lum(rgb(style.outlineColor)), lum(backdrop(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 3) low.push(`${el.tagName} ${el.id || el.name || el.textContent.trim().slice(0, 20)}: ${ratio.toFixed(2)}:1`);
  }
  return low;
})

// Return the links, buttons and controls a finger would find too small (under 44 x 44 px).
(() => {
  const small = [];
  const selector = 'main a, main button, main input, main select, main textarea, main summary,'
    + ' header a, header button';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
    let target = box;
    // A checkbox or radio is tapped through its label too, as a browser does.
    if ((el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels[0]) {
      const label = el.labels[0].getBoundingClientRect();
      target = {height: Math.max(box.height, label.height), width: box.width + label.width};
    }
    if (target.height < 44 || target.width < 44) {
      small.push(`${el.tagName} "${(el.innerText || el.value || el.name || '').trim().slice(0, 30)}" ${Math.round(target.width)}x${Math.round(target.height)}`);
    }
  }
  return small;
})

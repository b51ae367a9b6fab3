// Run axe-core on the page; return every violation, one line each, its impact first.
(async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => `${v.impact} ${v.id}: ${v.nodes.length} element(s), ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
})

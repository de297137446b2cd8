// A node:test reporter that prints only the closing tally: "N passed, N failed, N skipped".
// Suites are not counted, only tests; a skipped or todo test counts as skipped.
export default async function* summary(source) {
  let passed = 0, failed = 0, skipped = 0;
  for await (const ev of source) {
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    if (ev.data.details?.type === 'suite') continue;
    if (ev.data.skip !== undefined || ev.data.todo !== undefined) skipped++;
    else if (ev.type === 'test:pass') passed++;
    else failed++;
  }
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}

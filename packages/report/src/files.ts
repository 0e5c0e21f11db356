/** The files of a report artifact, by role; `llc promote` copies exactly these. */
export const REPORT_FILES = { html: 'index.html', csv: 'runs.csv', json: 'runs.json', manifest: 'manifest.json' };

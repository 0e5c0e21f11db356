import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toCsv, type ReportRow } from './table';
import { renderTable } from './html';

const row: ReportRow = {
  id: 'a--sgld--stepSize-1e-4', target: 'a', sampler: 'sgld', kind: 'sgld', step: null, restriction: null, hyperparameters: 'stepSize=0.0001 chains=4',
  llc: 1.23456789, mcse: 0.01, rhat: null, essBulk: 512.5, essTail: 300, chains: '4/4', fge: 1200, wallSeconds: 3.5,
  essPerSecond: 146.4, essPerFge: 0.427, lambdaTrue: null, relativeError: null, reference: 1.2, isReference: false, biasRelative: 0.0288, biasInMcse: 2.5, flags: ['tail ESS 300 < 400', 'R̂, "quoted"'],
};

test('CSV keeps full precision, writes NA for nulls and quotes fields with commas or quotes', () => {
  const csv = toCsv([row]).trim().split('\n');
  assert.equal(csv[0], 'id,kind,isReference,target,sampler,step,restriction,llc,mcse,rhat,essBulk,essTail,chains,fge,wallSeconds,essPerSecond,essPerFge,lambdaTrue,relativeError,reference,biasRelative,biasInMcse,flags,hyperparameters');
  assert.equal(csv[1], 'a--sgld--stepSize-1e-4,sgld,false,a,sgld,NA,NA,1.23456789,0.01,NA,512.5,300,4/4,1200,3.5,146.4,0.427,NA,NA,1.2,0.0288,2.5,"tail ESS 300 < 400; R̂, ""quoted""",stepSize=0.0001 chains=4');
});

test('HTML table escapes text, rounds for display, keeps sortable raw values and marks flagged rows', () => {
  const html = renderTable([row]);
  assert.match(html, /<tr id="run-a--sgld--stepSize-1e-4" class="flagged">/);
  assert.match(html, /<td data-v="1.23456789">1.2346<\/td>/);
  assert.match(html, /<td data-v="NA">NA<\/td>/);
  assert.match(html, /R̂, &quot;quoted&quot;/);
  assert.ok(!html.includes('"quoted"'));
});

// The shared constants of constants.json (sample rate, mel and latent frame rates, the 16 fps video axis,
// the aligner's feature width) are read from it, never written again as literals: this test parses every
// TypeScript source outside the tests (with the TypeScript compiler, so comments and prose never count)
// and fails on a literal with one of their values, a literal bound to one of their names, or an ffmpeg
// filter that spells the frame rate. Only constants.json and src/core/time.ts hold them.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import raw from './constants.json';
import { HOP_SEC, LATENT_CENTRE_SEC, LATENT_FRAME_SEC, MEL_FPS, SAMPLE_RATE, VIDEO_FPS } from './time.ts';

const ROOTS = ['src', 'scripts', 'bin', 'vite.config.ts', 'playwright.config.ts'];
const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;
const NOT_SCANNED = [/\.test\.tsx?$/, /\.d\.ts$/, /^src\/core\/time\.ts$/];

/** Values no source may spell: each derives from constants.json (MEL_FPS / 4 is the latent frame rate). */
const SHARED_VALUES = new Map<number, string>([
  [SAMPLE_RATE, 'the sample rate (time.ts SAMPLE_RATE)'],
  [MEL_FPS, 'the mel frame rate (time.ts MEL_FPS)'],
  [MEL_FPS / raw.latent.timeDownsample, 'the latent frame rate (1 / time.ts LATENT_FRAME_SEC)'],
  [LATENT_FRAME_SEC, 'the latent frame length (time.ts LATENT_FRAME_SEC)'],
  [LATENT_CENTRE_SEC, 'the centre of latent frame 0 (time.ts LATENT_CENTRE_SEC)'],
  [HOP_SEC, 'the mel hop in seconds (time.ts HOP_SEC)'],
]);
/** Constant names that denote a shared constant: a number literal bound to one is a copy (EVAL_FPS = 16). */
const SHARED_NAME =
  /^(?:[A-Z0-9]+_)*(?:FPS|SR|SAMPLE_RATE|HOP_SEC|LATENT_FRAME_SEC|LATENT_CENTRE_SEC|MELS_PER_LATENT|ALIGNER_FEAT|FEATURE_DIM)$/;
/** An ffmpeg filter or argument that spells the frame rate or the sample rate. */
const SHARED_IN_STRING = [new RegExp(`\\bfps=${VIDEO_FPS}\\b`), new RegExp(`^${SAMPLE_RATE}$`)];

function sources(): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p)) if (f !== 'node_modules' && !f.startsWith('.')) walk(join(p, f));
    } else if (SOURCE.test(p) && !NOT_SCANNED.some((r) => r.test(p))) out.push(p);
  };
  for (const r of ROOTS) walk(r);
  return out;
}

interface Finding {
  where: string;
  what: string;
}

function findSharedLiterals(file: string, text: string): Finding[] {
  const sf = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const found: Finding[] = [];
  const at = (n: ts.Node) => `${file}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
  const numberOf = (n: ts.Node | undefined): number | null => {
    if (!n) return null;
    if (ts.isNumericLiteral(n)) return Number(n.text);
    if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(n.operand))
      return -Number(n.operand.text);
    return null;
  };
  const visit = (n: ts.Node) => {
    if (ts.isNumericLiteral(n)) {
      const v = Number(n.text);
      for (const [value, what] of SHARED_VALUES)
        if (Math.abs(v - value) <= 1e-12 * Math.abs(value))
          found.push({ where: at(n), what: `${n.getText(sf)} is ${what}` });
    } else if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) {
      for (const r of SHARED_IN_STRING)
        if (r.test(n.text)) found.push({ where: at(n), what: `"${n.text}" spells a shared constant` });
    } else if (
      (ts.isVariableDeclaration(n) || ts.isPropertyAssignment(n) || ts.isPropertyDeclaration(n) || ts.isParameter(n)) &&
      (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) &&
      SHARED_NAME.test(n.name.text)
    ) {
      const v = numberOf(n.initializer);
      if (v !== null)
        found.push({ where: at(n), what: `${n.name.text} = ${v}: read it from constants.json (src/core/time.ts)` });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe('shared constants', () => {
  it('are written only in constants.json and src/core/time.ts', () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain('src/core/pipelines/generate.ts');
    const found = files.flatMap((f) => findSharedLiterals(relative('.', f), readFileSync(f, 'utf8')));
    expect(found.map((f) => `${f.where}: ${f.what}`)).toEqual([]);
  });

  it('catches each kind of copy and ignores comments and unrelated numbers', () => {
    const src = [
      '// 16000 Hz and 0.064 s in a comment are prose',
      '/** at 16 fps: frame f is at f/16 s */',
      'const a = 16000, b = 0.064, c = 62.5, d = 15.625, e = 16_000;',
      'const EVAL_FPS = 16;',
      'export const ALIGNER_FEAT = 32;',
      "spawn('ffmpeg', ['-ar', '16000', '-vf', 'fps=16,scale=224:-2']);",
      'class K { static readonly MEL_FPS = 62.5; }',
      'function f(sampleRate = 44100) { return { fps: 25, x: 160, hop: 256, n: 32, HOP: 160 }; }',
      'const ok = [24000, 0.0640001, 160, "16000 Hz", `fps=${VIDEO_FPS}`];',
    ].join('\n');
    const found = findSharedLiterals('x.ts', src).map((f) => `${f.where} ${f.what.split(' ')[0]}`);
    expect(found).toEqual([
      'x.ts:3 16000',
      'x.ts:3 0.064',
      'x.ts:3 62.5',
      'x.ts:3 15.625',
      'x.ts:3 16_000',
      'x.ts:4 EVAL_FPS',
      'x.ts:5 ALIGNER_FEAT',
      'x.ts:6 "16000"',
      'x.ts:6 "fps=16,scale=224:-2"',
      'x.ts:7 MEL_FPS',
      'x.ts:7 62.5',
    ]);
  });
});

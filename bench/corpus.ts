/**
 * A generated curriculum for benchmarks: `coursesPerTier` courses of `lessonsPerCourse` lessons
 * in both languages, each course with an 8-question quiz. Written to a folder (never committed).
 */
import fs from 'node:fs';
import path from 'node:path';

const TIERS = ['basic', 'applied', 'specialist'] as const;

function paragraph(i: number, locale: 'ja' | 'en'): string {
  return locale === 'ja'
    ? `生成AIを業務で使うときは、目的と前提を短く伝え、出力を必ず確認します。第${i}節では、議事録の要約やメールの下書きなど、毎日の仕事での使い方を具体的に見ていきます。入力してよい情報かどうかを確かめ、社外に出す前には事実と数字を元の資料で確認しましょう。`
    : `When you use generative AI at work, state the goal and the context briefly and always check the output. Section ${i} walks through everyday uses such as summarising meeting notes and drafting emails. Check whether information may be entered, and verify facts and figures against the source before anything leaves the company.`;
}

export function writeCorpus(dir: string, coursesPerTier: number, lessonsPerCourse: number): { lessons: number; quizzes: number } {
  fs.rmSync(dir, { recursive: true, force: true });
  const write = (relative: string, text: string): void => {
    const file = path.join(dir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  let lessons = 0;
  TIERS.forEach((tier, t) => {
    write(
      `tiers/${tier}.yaml`,
      `order: ${t + 1}\naudience: ${['learner', 'champion', 'admin'][t]}\nrequires: [${t === 0 ? '' : 'basic'}]\ntitle: { ja: 段階${t + 1}, en: Tier ${t + 1} }\ndescription: { ja: 段階${t + 1}の説明です。, en: About tier ${t + 1}. }\n`,
    );
    for (let c = 0; c < coursesPerTier; c++) {
      const course = `${tier}-course-${c + 1}`;
      write(
        `courses/${course}.yaml`,
        `tier: ${tier}\norder: ${c + 1}\nestimatedMinutes: 40\nprerequisites: []\ntitle: { ja: コース${c + 1}, en: Course ${c + 1} }\nsummary: { ja: コースの概要です。, en: What the course covers. }\nobjectives: { ja: [業務で安全に使える], en: [Use it safely at work] }\n`,
      );
      for (let l = 0; l < lessonsPerCourse; l++) {
        const id = `${course}-lesson-${l + 1}`;
        for (const locale of ['ja', 'en'] as const) {
          const body = Array.from({ length: 6 }, (_, i) => `## ${locale === 'ja' ? '節' : 'Section'} ${i + 1}\n\n${paragraph(i + 1, locale)}\n`).join('\n');
          write(
            `lessons/${locale}/${course}/${id}.mdx`,
            `---\ncourse: ${course}\norder: ${l + 1}\ntitle: ${locale === 'ja' ? `レッスン${l + 1}` : `Lesson ${l + 1}`}\nestimatedMinutes: 6\n---\n\n${body}\n<KeyTakeaways>\n\n- ${locale === 'ja' ? '出力は必ず確認する' : 'Always check the output'}\n\n</KeyTakeaways>\n`,
          );
        }
        lessons++;
      }
      for (const locale of ['ja', 'en'] as const) {
        const questions = Array.from({ length: 8 }, (_, q) => {
          const multiple = q % 4 === 3;
          return `  - id: q${q + 1}\n    type: ${multiple ? 'multiple' : 'single'}\n    prompt: ${locale === 'ja' ? `問題${q + 1}` : `Question ${q + 1}`}\n    options:\n      - id: a\n        text: A\n        correct: true\n      - id: b\n        text: B\n${multiple ? '        correct: true\n' : ''}      - id: c\n        text: C\n      - id: d\n        text: D\n    explanation: ${locale === 'ja' ? '正解の理由です。' : 'Why the answer is right.'}\n`;
        }).join('');
        write(`quizzes/${locale}/${course}.yaml`, `course: ${course}\ntitle: ${locale === 'ja' ? 'テスト' : 'Quiz'} ${course}\npassMark: 70\nquestions:\n${questions}`);
      }
    }
  });
  return { lessons, quizzes: TIERS.length * coursesPerTier };
}

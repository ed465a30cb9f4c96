// A yes/no question on the terminal: the answer is yes only when it says so. #22:
// the input ending (Ctrl-D, a closed stdin) is a no: readline's question() never
// settles then, which left `apply` (and `export`'s overwrite prompt) waiting forever.
import { createInterface } from "node:readline/promises";

/** Where the question is asked: the answer is read from `input`, the question written to `output`. */
export interface Terminal {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

/** Asks `question`; true for `y` or `yes` (any case), false for anything else or the end of input. */
export async function confirm(terminal: Terminal, question: string): Promise<boolean> {
  const rl = createInterface({ input: terminal.input, output: terminal.output });
  const ended = new Promise<string>((resolve) => rl.once("close", () => resolve("")));
  try {
    // Newer Nodes reject the pending question on close instead: a no as well, never unhandled.
    const asked = rl.question(question).catch(() => "");
    const answer = await Promise.race([asked, ended]);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

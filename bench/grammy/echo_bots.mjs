// grammY baseline for bench/idle_bots.sh and bench/echo_throughput.sh (DESIGN.md "Targets"):
// N echo bots in one Node process, one Bot object per token, long polling the simulator.
//
//   node bench/grammy/echo_bots.mjs API_ROOT FIRST_ID COUNT
//
// Tokens are bench/lib.sh's token_for(i): "<i>:bench" + i as 30 digits, for i in
// FIRST_ID .. FIRST_ID+COUNT-1. Prints "started N" once every bot has begun polling.
import { Bot } from "grammy";

const [apiRoot, firstArg, countArg] = process.argv.slice(2);
const first = Number(firstArg ?? 1);
const count = Number(countArg ?? 1);
const tokenFor = (i) => `${i}:bench${String(i).padStart(30, "0")}`;

const bots = [];
for (let i = first; i < first + count; i++) {
  const bot = new Bot(tokenFor(i), { client: { apiRoot } });
  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
  bot.catch((err) => console.error(`bot ${i}: ${err.message}`));
  bots.push(bot);
}

let started = 0;
for (const bot of bots) {
  // start() resolves only when the bot stops; onStart fires once it polls.
  bot.start({
    onStart: () => {
      if (++started === bots.length) console.log(`started ${started}`);
    },
  });
}

const stop = () => Promise.all(bots.map((b) => b.stop().catch(() => {}))).then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

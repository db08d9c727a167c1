import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { suggestionSuffix, suggestName } from "./_validate_suggest.ts";

Deno.test("suggestName() counts two swapped neighbours as one edit", () => {
  assertEquals(suggestName("Taks", ["Task", "User"]), "Task");
  assertEquals(suggestName("Uesr", ["Task", "User"]), "User");
  assertEquals(suggestName("CreaetUserInput", ["CreateUserInput"]), "CreateUserInput");
});

Deno.test("suggestName() suggests case-only differences and nothing far away", () => {
  assertEquals(suggestName("user", ["User"]), "User");
  assertEquals(suggestName("Order", ["Task", "User"]), null);
  assertEquals(suggestName("ab", ["ba", "xy"]), "ba");
});

Deno.test("suggestionSuffix() names the suggestion or adds nothing", () => {
  assertEquals(suggestionSuffix("Taks", ["Task"]), ": did you mean 'Task'?");
  assertEquals(suggestionSuffix("Zzz", ["Task"]), "");
});

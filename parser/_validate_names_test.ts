import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { isIdentifier } from "./_validate_names.ts";
import { snakeCase } from "./names.ts";

Deno.test("snakeCase() follows the original's algorithm (docs/compatibility.md#naming)", () => {
  const cases: [string, string][] = [
    ["CreateUser", "create_user"],
    ["HelloWorldWS", "hello_world_w_s"],
    ["HTTPServer", "h_t_t_p_server"],
    ["already_snake", "already_snake"],
    ["Get_User", "get__user"],
    ["userID", "user_i_d"],
    ["Timeline2Test", "timeline2_test"],
  ];
  assertEquals(cases.map(([name]) => [name, snakeCase(name)]), cases);
});

Deno.test("isIdentifier() accepts letters, digits and '_' not starting with a digit", () => {
  assertEquals(
    ["a", "_x", "on_connect2", "A9", "", "9a", "a-b", "a b", "é"].map(isIdentifier),
    [true, true, true, true, false, false, false, false, false],
  );
});

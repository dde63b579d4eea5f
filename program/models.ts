import { ModelArgs } from "../components/restApi";

/**
 * The body of POST /users. API Gateway validates it (JSON Schema draft 4) before the function
 * runs; the function still re-checks what it relies on.
 */
export const USER_MODEL: ModelArgs = {
  description: "A new user",
  schema: {
    type: "object",
    required: ["email", "name"],
    properties: {
      email: { type: "string", format: "email", maxLength: 254 },
      name: { type: "string", minLength: 1, maxLength: 100 },
      age: { type: "integer", minimum: 0, maximum: 150 },
    },
  },
};

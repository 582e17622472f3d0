/** Upstreams that already speak OpenAI chat completions: pass-through with the model renamed. */
package dev.switchboard.vendor.openai;

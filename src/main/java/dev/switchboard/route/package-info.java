/** Platforms by URL prefix, their model maps and managed token pools. */
package dev.switchboard.route;

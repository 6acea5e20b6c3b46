/** Helpers shared by every Tributary part; this module depends on nothing but the JDK. */
package io.tributary.common;

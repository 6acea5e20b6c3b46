/** Test fixtures shared by the tests of every module; never a dependency of main code. */
package io.tributary.testing;

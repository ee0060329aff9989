/** tune4j core: tensors, backends, nn, models, generation, autograd, training, data and io. */
package dev.tune4j;

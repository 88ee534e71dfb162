"""The course's own training loop, written faithfully from the seed's listings
and the assignment (../shared/reference/course.md): Python dicts of arrays,
one run at a time.

It is not used by the app. It is the baseline that `gdtui bench` times
against the batched core, and the reference the tests compare course mode
with. The mini-batch partition is the corrected one (k*size:(k+1)*size), not
the seed's listing, which slices 0:size every time.
"""

from __future__ import annotations

import math

import numpy as np


def initialize_parameters(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def relu(x):
    return np.maximum(0, x)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward_propagation(X, parameters):
    """LINEAR -> RELU -> ... -> LINEAR -> SIGMOID, for any number of layers."""
    L = len(parameters) // 2
    caches = [(None, X)]
    A = X
    for l in range(1, L + 1):
        Z = np.dot(parameters["W" + str(l)], A) + parameters["b" + str(l)]
        A = sigmoid(Z) if l == L else relu(Z)
        caches.append((Z, A))
    return A, caches


def compute_cost(a3, Y):
    """The sum (not the mean) of the cross-entropy over the mini-batch, as the course's later version."""
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return np.sum(logprobs)


def backward_propagation(X, Y, caches, parameters):
    m = X.shape[1]
    L = len(parameters) // 2
    grads = {}
    dZ = 1. / m * (caches[L][1] - Y)
    for l in range(L, 0, -1):
        A_prev = caches[l - 1][1]
        grads["dW" + str(l)] = np.dot(dZ, A_prev.T)
        grads["db" + str(l)] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dA = np.dot(parameters["W" + str(l)].T, dZ)
            dZ = np.multiply(dA, np.int64(A_prev > 0))
    return grads


def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters


def initialize_velocity(parameters):
    L = len(parameters) // 2
    v = {}
    for l in range(L):
        v["dW" + str(l + 1)] = np.zeros(parameters["W" + str(l + 1)].shape)
        v["db" + str(l + 1)] = np.zeros(parameters["b" + str(l + 1)].shape)
    return v


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        v["dW" + str(l + 1)] = beta * v["dW" + str(l + 1)] + (1 - beta) * grads["dW" + str(l + 1)]
        v["db" + str(l + 1)] = beta * v["db" + str(l + 1)] + (1 - beta) * grads["db" + str(l + 1)]
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * v["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * v["db" + str(l + 1)]
    return parameters, v


def initialize_adam(parameters):
    v = initialize_velocity(parameters)
    s = initialize_velocity(parameters)
    return v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    v_corrected = {}
    s_corrected = {}
    for l in range(L):
        for p in ("W", "b"):
            d = "d" + p + str(l + 1)
            v[d] = beta1 * v[d] + (1 - beta1) * grads[d]
            v_corrected[d] = v[d] / (1 - beta1**t)
            s[d] = beta2 * s[d] + (1 - beta2) * (grads[d]) ** 2
            s_corrected[d] = s[d] / (1 - beta2**t)
            key = p + str(l + 1)
            parameters[key] = parameters[key] - learning_rate * v_corrected[d] / (np.sqrt(s_corrected[d]) + epsilon)
    return parameters, v, s


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle, then partition into consecutive slices (the corrected listing)."""
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:m]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size:m]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    return mini_batches


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return 1 / (1 + decay_rate * np.floor(epoch_num / time_interval)) * learning_rate0


def model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9,
          beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=10000, decay_rate=None, time_interval=1000):
    """Train as the course does; returns (parameters, the cost of every epoch)."""
    costs = []
    t = 0
    seed = 10
    m = X.shape[1]
    learning_rate0 = learning_rate
    parameters = initialize_parameters(layers_dims)
    if optimizer == "momentum":
        v = initialize_velocity(parameters)
    elif optimizer == "adam":
        v, s = initialize_adam(parameters)
    for i in range(num_epochs):
        seed = seed + 1
        minibatches = random_mini_batches(X, Y, mini_batch_size, seed)
        cost_total = 0
        for minibatch_X, minibatch_Y in minibatches:
            a3, caches = forward_propagation(minibatch_X, parameters)
            cost_total += compute_cost(a3, minibatch_Y)
            grads = backward_propagation(minibatch_X, minibatch_Y, caches, parameters)
            if optimizer == "gd":
                parameters = update_parameters_with_gd(parameters, grads, learning_rate)
            elif optimizer == "momentum":
                parameters, v = update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)
            elif optimizer == "adam":
                t = t + 1
                parameters, v, s = update_parameters_with_adam(parameters, grads, v, s, t, learning_rate,
                                                               beta1, beta2, epsilon)
        costs.append(cost_total / m)
        if decay_rate is not None:
            learning_rate = schedule_lr_decay(learning_rate0, i, decay_rate, time_interval)
    return parameters, costs


def predict(X, y, parameters):
    a3, _ = forward_propagation(X, parameters)
    return np.mean((a3 > 0.5) == y)
